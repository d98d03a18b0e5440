import { z } from 'zod'
import { searchObjectsQuery, searchPackagesQuery, toSearchString } from '../platform/operations/search.js'
import { unwrapArms } from '../platform/union-arms.js'
import { bucketArg } from './arguments.js'
import { defineTool } from './define.js'
import { bulletList, formatBytes, shortHash } from './format.js'

export const MAX_SEARCH_LIMIT = 100

const searchArgs = {
  query: z.string().max(1000).describe('Words to look for; searched literally (characters such as / : " [ ] need no escaping). "*" or an empty string matches everything'),
  buckets: z.array(bucketArg).max(100).optional().describe('Buckets to search (names or s3:// URIs); default: every bucket you can see'),
  limit: z.int().min(1).max(MAX_SEARCH_LIMIT).default(10).describe(`How many best matches to return, 1 to ${MAX_SEARCH_LIMIT}`)
}

/** The part of every search text that says what was searched where. */
function scope (query: string, buckets: string[] | undefined): string {
  const what = toSearchString(query) === null ? 'everything' : `"${query.trim()}"`
  return `${what} in ${buckets === undefined ? 'all buckets' : buckets.map((b) => `s3://${b}`).join(', ')}`
}

const emptyResult = (noun: string, query: string, buckets: string[] | undefined) => ({
  text: `No ${noun} matched ${scope(query, buckets)} (an empty result, not an error).`,
  data: { query, buckets: buckets ?? null, total: 0, hits: [] }
})

export const searchTools = [
  defineTool({
    name: 'search_packages',
    title: 'Search packages',
    description: `Full-text search over Quilt packages (names, commit messages, metadata, file names) across all visible buckets or the given ones. Returns the best matches with bucket, package name, revision hash, time, size and file count, plus the total number of matches. latest_only (default true) keeps only each package's latest revision. At most ${MAX_SEARCH_LIMIT} hits per call. To list a bucket's packages by name use packages_list.`,
    inputSchema: z.object({
      ...searchArgs,
      latest_only: z.boolean().default(true).describe('Only the latest revision of each package (default true); false also finds older revisions')
    }),
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    async run ({ query, buckets, limit, latest_only: latestOnly }, ctx) {
      const { searchPackages } = await ctx.registry.execute(searchPackagesQuery, {
        buckets: buckets ?? null, searchString: toSearchString(query), latestOnly, size: limit
      }, ctx.signal)
      const set = unwrapArms('SearchPackages', 'search packages', searchPackages)
      if (set.__typename === 'EmptySearchResultSet' || set.total === 0) return emptyResult('packages', query, buckets)
      const page = unwrapArms('SearchPackages', 'return the first page of package search results', set.firstPage)
      const hits = page.hits.map((h) => ({
        bucket: h.bucket, package_name: h.name, hash: h.hash, modified: h.modified, size: h.size, total_entries: h.totalEntriesCount, comment: h.comment, score: h.score
      }))
      return {
        text: [
          `${set.total} package ${latestOnly ? '' : 'revision '}match(es) for ${scope(query, buckets)}; best ${hits.length}:`,
          ...bulletList(hits, hits.length, (h) => `${h.package_name}@${shortHash(h.hash)} in s3://${h.bucket}, ${h.modified}, ${h.total_entries} file(s), ${formatBytes(h.size)}${h.comment ? `: ${JSON.stringify(h.comment.slice(0, 120))}` : ''}`, set.total)
        ].join('\n'),
        data: { query, buckets: buckets ?? null, total: set.total, hits }
      }
    }
  }),

  defineTool({
    name: 'search_objects',
    title: 'Search objects',
    description: `Full-text search over the S3 objects indexed by the catalog (keys and indexed contents) across all visible buckets or the given ones. Returns the best matches with bucket, key, version id, size and time, plus the total number of matches. At most ${MAX_SEARCH_LIMIT} hits per call. To find packages rather than single files use search_packages.`,
    inputSchema: z.object(searchArgs),
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    async run ({ query, buckets, limit }, ctx) {
      const { searchObjects } = await ctx.registry.execute(searchObjectsQuery, {
        buckets: buckets ?? null, searchString: toSearchString(query), size: limit
      }, ctx.signal)
      const set = unwrapArms('SearchObjects', 'search objects', searchObjects)
      if (set.__typename === 'EmptySearchResultSet' || set.total === 0) return emptyResult('objects', query, buckets)
      const hits = set.firstPage.hits.map((h) => ({
        bucket: h.bucket, key: h.key, version_id: h.version, size: h.size, modified: h.modified, deleted: h.deleted, score: h.score
      }))
      return {
        text: [
          `${set.total} object match(es) for ${scope(query, buckets)}; best ${hits.length}:`,
          ...bulletList(hits, hits.length, (h) => `s3://${h.bucket}/${h.key} (${formatBytes(h.size)}, ${h.modified}${h.deleted ? ', deleted' : ''})`, set.total)
        ].join('\n'),
        data: { query, buckets: buckets ?? null, total: set.total, hits }
      }
    }
  })
]
