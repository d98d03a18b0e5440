import { z } from 'zod'
import { searchMoreObjectsQuery, searchMorePackagesQuery, searchObjectsQuery, searchPackagesQuery } from '../platform/operations/search.js'
import { unwrapArms } from '../platform/union-arms.js'
import { bucketArg } from './arguments.js'
import { defineTool } from './define.js'
import { formatBytes, shortHash } from './format.js'
import { runSearch, type SearchKind } from './search-paging.js'

export const MAX_SEARCH_LIMIT = 100

const searchArgs = {
  query: z.string().max(1000).default('').describe('What to look for, read as the Quilt catalog\'s search box reads it: plain words also match longer words they start ("penguin" finds "penguins"); query syntax is used as written (ext:csv AND size:>1000, "an exact phrase", wildcards * and ?, AND / OR / NOT). "*" or "" (the default) matches everything. The resource quilt-platform://search_syntax has examples'),
  buckets: z.array(bucketArg).max(100).optional().describe('Buckets to search (names or s3:// URIs); default: every bucket you can see'),
  limit: z.int().min(1).max(MAX_SEARCH_LIMIT).default(10).describe(`How many matches to return per page, 1 to ${MAX_SEARCH_LIMIT}`),
  cursor: z.string().min(1).max(8192).optional().describe('next_cursor from an earlier call of this tool, for the next page of that same search (query and buckets are then not used)')
}

type PackageHit = { bucket: string, package_name: string, hash: string, modified: string, size: number, total_entries: number | null, comment: string | null, score: number }

const toPackageHit = (h: { bucket: string, name: string, hash: string, modified: string, size: number, totalEntriesCount: number | null, comment: string | null, score: number }): PackageHit => ({
  bucket: h.bucket, package_name: h.name, hash: h.hash, modified: h.modified, size: h.size, total_entries: h.totalEntriesCount, comment: h.comment, score: h.score
})

function packageSearch (latestOnly: boolean): SearchKind<PackageHit> {
  return {
    tool: 'search_packages',
    noun: latestOnly ? 'package' : 'package revision',
    async first (ctx, { buckets, searchString, size }) {
      const { searchPackages } = await ctx.registry.execute(searchPackagesQuery, { buckets, searchString, latestOnly, size }, ctx)
      const set = unwrapArms('SearchPackages', 'search packages', searchPackages)
      if (set.__typename === 'EmptySearchResultSet') return 'empty'
      const page = unwrapArms('SearchPackages', 'return the first page of package search results', set.firstPage)
      return { total: set.total, page: { cursor: page.cursor, hits: page.hits.map(toPackageHit) } }
    },
    async more (ctx, after, size) {
      const { searchMorePackages } = await ctx.registry.execute(searchMorePackagesQuery, { after, size }, ctx)
      const page = unwrapArms('SearchMorePackages', 'return the next page of package search results', searchMorePackages)
      return { cursor: page.cursor, hits: page.hits.map(toPackageHit) }
    },
    line: (h) => `${h.package_name}@${shortHash(h.hash)} in s3://${h.bucket}, ${h.modified}, ${h.total_entries ?? 'unknown number of'} file(s), ${formatBytes(h.size)}${h.comment ? `: ${JSON.stringify(h.comment.slice(0, 120))}` : ''}`
  }
}

type ObjectHit = { bucket: string, key: string, version_id: string, size: number, modified: string, deleted: boolean, score: number }

const toObjectHit = (h: { bucket: string, key: string, version: string, size: number, modified: string, deleted: boolean, score: number }): ObjectHit => ({
  bucket: h.bucket, key: h.key, version_id: h.version, size: h.size, modified: h.modified, deleted: h.deleted, score: h.score
})

const objectSearch: SearchKind<ObjectHit> = {
  tool: 'search_objects',
  noun: 'object',
  async first (ctx, { buckets, searchString, size }) {
    const { searchObjects } = await ctx.registry.execute(searchObjectsQuery, { buckets, searchString, size }, ctx)
    const set = unwrapArms('SearchObjects', 'search objects', searchObjects)
    if (set.__typename === 'EmptySearchResultSet') return 'empty'
    return { total: set.total, page: { cursor: set.firstPage.cursor, hits: set.firstPage.hits.map(toObjectHit) } }
  },
  async more (ctx, after, size) {
    const { searchMoreObjects } = await ctx.registry.execute(searchMoreObjectsQuery, { after, size }, ctx)
    const page = unwrapArms('SearchMoreObjects', 'return the next page of object search results', searchMoreObjects)
    return { cursor: page.cursor, hits: page.hits.map(toObjectHit) }
  },
  line: (h) => `s3://${h.bucket}/${h.key} (${formatBytes(h.size)}, ${h.modified}${h.deleted ? ', deleted' : ''})`
}

const PAGING = `At most ${MAX_SEARCH_LIMIT} hits per call; when more exist the result carries next_cursor, which you pass back as cursor for the next page. On catalogs with secure search the total is unknown ("secure search: total unknown") and pages can be short.`

export const searchTools = [
  defineTool({
    name: 'search_packages',
    title: 'Search packages',
    description: `Full-text search over Quilt packages (names, commit messages, metadata, file names) across all visible buckets or the given ones. Returns matches with bucket, package name, revision hash, time, size and file count, plus the total number of matches. latest_only (default true) keeps only each package's latest revision. ${PAGING} To list a bucket's packages by name use packages_list.`,
    inputSchema: z.object({
      ...searchArgs,
      latest_only: z.boolean().default(true).describe('Only the latest revision of each package (default true); false also finds older revisions')
    }),
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    async run ({ latest_only: latestOnly, ...request }, ctx) {
      const { latestOnlySearch } = await ctx.registry.capabilities()
      if (latestOnly && !latestOnlySearch && request.cursor === undefined) {
        ctx.notes?.push('This registry (older than 2025-02) cannot limit search to latest revisions, so hits may include older revisions of a package.')
      }
      return runSearch(packageSearch(latestOnly), ctx, request, { latest_only: latestOnly })
    }
  }),

  defineTool({
    name: 'search_objects',
    title: 'Search objects',
    description: `Full-text search over the S3 objects indexed by the catalog (keys and indexed contents) across all visible buckets or the given ones. Returns matches with bucket, key, version id, size and time, plus the total number of matches. ${PAGING} To find packages rather than single files use search_packages.`,
    inputSchema: z.object(searchArgs),
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    run: (request, ctx) => runSearch(objectSearch, ctx, request)
  })
]
