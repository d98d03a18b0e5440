import { z } from 'zod'
import { formatPhysicalKey } from '../data/s3-location.js'
import { listPrefix } from '../data/s3-prefix.js'
import type { ConstructEntry } from '../platform/operations/mutations.js'
import { bucketArg, logicalPathArg } from './arguments.js'
import { defineTool } from './define.js'
import { bulletList, capList, formatBytes } from './format.js'
import { globFilter } from './globs.js'
import { construct, pushParamArgs } from './mutations.js'

/** Objects one package from a prefix may hold (after the filters); listing stops past it. */
const MAX_PREFIX_OBJECTS = 10_000
/** Objects listed at most while filtering (a huge prefix with a narrow include). */
const MAX_SCANNED = 100_000
const PLAN_ENTRIES = 100

const sourceArg = z.string().trim()
  .transform((value, ctx) => {
    const match = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(value)
    const bucket = bucketArg.safeParse(match?.[1] ?? '')
    if (match === null || !bucket.success) return (ctx.addIssue({ code: 'custom', message: 'must be "s3://bucket/prefix/"' }), z.NEVER)
    const raw = match[2] ?? ''
    // A prefix names a folder: "data" means "data/", so "data-old/" is not swept in.
    const prefix = raw === '' || raw.endsWith('/') ? raw : `${raw}/`
    return { bucket: bucket.data, prefix }
  })
  .describe('The folder to package: "s3://bucket/prefix/"; every object under it, at any depth')

const globsArg = z.array(z.string().trim().min(1).max(256)).max(50)

export const packageFromS3Tools = [
  defineTool({
    name: 'package_create_from_s3',
    title: 'Package an S3 folder',
    description: `Creates a package revision from every object under an S3 prefix (listed with your own role), logical keys relative to the prefix, filtered by include/exclude globs ("*" within a folder, "**" across). dry_run shows the plan without pushing. At most ${MAX_PREFIX_OBJECTS} objects.`,
    inputSchema: z.object({
      source: sourceArg,
      ...pushParamArgs,
      include: globsArg.optional().describe('Keep only keys matching one of these globs, e.g. ["**/*.csv"]'),
      exclude: globsArg.optional().describe('Drop keys matching any of these globs, e.g. ["tmp/**"]'),
      dry_run: z.boolean().default(false).describe('List what would be packaged, push nothing')
    }),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    async run (args, ctx) {
      const { bucket, prefix } = args.source
      const where = `s3://${bucket}/${prefix}`
      const keep = globFilter(args.include ?? [], args.exclude ?? [])
      const listed = await listPrefix(ctx.data, { bucket, prefix, keep: (key) => keep(key.slice(prefix.length)), max: MAX_PREFIX_OBJECTS, maxScanned: MAX_SCANNED })
      const skipped: string[] = []
      const entries: ConstructEntry[] = []
      for (const object of listed) {
        const logicalKey = object.key.slice(prefix.length)
        // Keys a package cannot hold as paths ("a//b", "../x", control characters) are left out and named.
        if (!logicalPathArg.safeParse(logicalKey).success) skipped.push(object.key)
        else entries.push({ logicalKey, physicalKey: formatPhysicalKey({ bucket, key: object.key }), size: object.size })
      }
      const bytes = entries.reduce((sum, e) => sum + (e.size ?? 0), 0)
      const skippedNote = skipped.length === 0 ? [] : [`Left out ${skipped.length} key(s) that are not valid package paths: ${skipped.slice(0, 5).join(', ')}`]
      if (entries.length === 0) {
        return { text: [`Nothing to package: no object under ${where} matches${args.include === undefined && args.exclude === undefined ? '' : ' the globs'}. Check the prefix with bucket_objects_list.`, ...skippedNote].join('\n'), data: { bucket: args.bucket, package_name: args.package_name, source: where, files: 0, pushed: false } }
      }
      const plan = { source: where, files: entries.length, total_bytes: bytes, skipped: capList(skipped, PLAN_ENTRIES).items }
      if (args.dry_run) {
        const sample = capList(entries, PLAN_ENTRIES)
        return {
          text: [`Dry run: ${args.package_name} in s3://${args.bucket} would hold ${entries.length} file(s), ${formatBytes(bytes)}, from ${where}:`, ...bulletList(entries, 20, (e) => `${e.logicalKey} (${formatBytes(e.size)})`), ...skippedNote, 'Nothing was pushed; call again without dry_run to push.'].join('\n'),
          data: { bucket: args.bucket, package_name: args.package_name, ...plan, pushed: false, entries: sample.items.map((e) => ({ logical_key: e.logicalKey, size: e.size })), entries_truncated: sample.truncated }
        }
      }
      const { line, data } = await construct(ctx, args, entries)
      return { text: [`Created revision ${line}, from ${where}.`, ...skippedNote].join('\n'), data: { ...data, ...plan, pushed: true } }
    }
  })
]
