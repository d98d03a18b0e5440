import { z } from 'zod'
import { packageInfoQuery, packagesListQuery } from '../platform/operations/packages.js'
import { bucketArg } from './arguments.js'
import { defineTool } from './define.js'
import { bulletList, formatBytes, preview, shortHash } from './format.js'
import { describeRef, packageArgs, refOf, requireRevision, resolveRef, revisionArg } from './package-ref.js'
import { ToolInputError } from './result.js'

const MAX_PER_PAGE = 100

/**
 * A revision's Quilt URI, as quilt3 and the catalog read it (`quilt3 install`, the catalog's URI box):
 * the bucket, then the package pinned to its full top hash after `@`. Package names are
 * `namespace/name` of URL-safe characters, so nothing needs escaping.
 */
const quiltUri = (bucket: string, name: string, hash: string) => `quilt+s3://${bucket}#package=${name}@${hash}`

export const packageTools = [
  defineTool({
    name: 'packages_list',
    title: 'List packages in a bucket',
    description: `Lists the Quilt packages in one bucket, a page at a time, optionally only names containing some text. Returns package names ("namespace/name") with their last-modified time, the total count and the number of pages. per_page is at most ${MAX_PER_PAGE}. For free-text search across buckets, metadata and comments use search_packages instead.`,
    inputSchema: z.object({
      bucket: bucketArg,
      filter: z.string().trim().min(1).max(256).optional().describe('Only packages whose name contains this text, e.g. "penguins"'),
      page: z.int().min(1).default(1).describe('Page number, from 1'),
      per_page: z.int().min(1).max(MAX_PER_PAGE).default(30).describe(`Packages per page, 1 to ${MAX_PER_PAGE}`),
      order: z.enum(['name', 'modified']).default('name').describe('"name" (alphabetical) or "modified" (most recently changed first)')
    }),
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    async run ({ bucket, filter, page, per_page: perPage, order }, ctx) {
      const { packages } = await ctx.registry.execute(packagesListQuery, {
        bucket, filter: filter ?? null, number: page, perPage, order: order === 'name' ? 'NAME' : 'MODIFIED'
      }, ctx)
      if (packages === null) {
        throw new ToolInputError(`Bucket s3://${bucket} was not found in this catalog, or you have no access to it. Call bucket_list for the buckets you can use.`)
      }
      const { total, page: items } = packages
      const pages = Math.ceil(total / perPage)
      const scope = `s3://${bucket}${filter === undefined ? '' : ` with "${filter}" in the name`}`
      const head = total === 0
        ? `No packages in ${scope} (an empty result, not an error).`
        : items.length === 0
          ? `Page ${page} is past the end: ${total} package(s) in ${scope} fill ${pages} page(s) of ${perPage}.`
          : `${total} package(s) in ${scope}; page ${page} of ${pages}${page < pages ? ` (next: page ${page + 1})` : ''}:`
      return {
        text: [head, ...bulletList(items, 50, (p) => `${p.name} (modified ${p.modified})`)].join('\n'),
        data: { bucket, filter: filter ?? null, total, page, per_page: perPage, pages, packages: items }
      }
    }
  }),

  defineTool({
    name: 'package_info',
    title: 'Package revision details',
    description: 'Describes one revision of a package (the latest unless hash is given): top hash, its quilt+s3:// URI, time, commit message, user metadata, workflow, number of files and total size, plus how many revisions exist and the most recent few. Use package_browse to see the files.',
    inputSchema: z.object({ ...packageArgs, hash: revisionArg }),
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    async run (args, ctx) {
      const ref = await resolveRef(ctx, refOf(args, args.hash))
      const { package: pkg } = await ctx.registry.execute(packageInfoQuery, ref, ctx)
      const { revision, revisions } = requireRevision(pkg, ref)
      const uri = quiltUri(ref.bucket, ref.name, revision.hash)
      const lines = [
        `${describeRef(ref, revision.hash)}, ${revision.modified}; ${revisions.total} revision(s) in all.`,
        `URI: ${uri}`,
        `Contents: ${revision.totalEntries ?? 'unknown number of'} file(s), ${formatBytes(revision.totalBytes)}.`,
        `Message: ${revision.message === null ? '(none)' : JSON.stringify(revision.message)}`,
        `Metadata: ${revision.userMeta === null ? '(none)' : preview(revision.userMeta)}`,
        ...(revision.workflow === null ? [] : [`Workflow: ${revision.workflow.id ?? '(none)'}`]),
        'Recent revisions:',
        ...bulletList(revisions.page, revisions.page.length, (r) => `${shortHash(r.hash)} ${r.modified}${r.message === null ? '' : ` ${JSON.stringify(r.message)}`}`, revisions.total)
      ]
      return {
        text: lines.join('\n'),
        data: {
          bucket: ref.bucket,
          package_name: ref.name,
          hash: revision.hash,
          quilt_uri: uri,
          modified: revision.modified,
          message: revision.message,
          metadata: revision.userMeta,
          workflow: revision.workflow,
          total_entries: revision.totalEntries,
          total_bytes: revision.totalBytes,
          revisions_total: revisions.total,
          recent_revisions: revisions.page
        }
      }
    }
  })
]
