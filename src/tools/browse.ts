import { z } from 'zod'
import { packageBrowseDirQuery, packageBrowseFileQuery } from '../platform/operations/browse.js'
import { logicalPathArg } from './arguments.js'
import { defineTool } from './define.js'
import { bulletList, capList, formatBytes, preview } from './format.js'
import { describeRef, packageArgs, refOf, requireRevision, resolveRef, revisionArg } from './package-ref.js'
import { ToolInputError } from './result.js'

/** Entries of one folder carried in structuredContent; the text lists fewer. */
const MAX_ENTRIES = 1000

export const browseTools = [
  defineTool({
    name: 'package_browse',
    title: 'Browse a package',
    description: `Shows what is inside a package revision. With a folder path (or none, for the top level) it lists the folder's files and sub-folders with sizes (at most ${MAX_ENTRIES} entries are returned); with a file path it returns that file's size, S3 location (physical key) and metadata. Does not return file contents. Walk down by passing a listed sub-folder as path.`,
    inputSchema: z.object({
      ...packageArgs,
      path: logicalPathArg.default('').describe('Logical path inside the package: a folder such as "data/" or "data", a file such as "data/table.csv", or empty for the top level'),
      hash: revisionArg
    }),
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    async run (args, ctx) {
      const ref = await resolveRef(ctx, refOf(args, args.hash))
      const variables = { ...ref, path: args.path.replace(/\/+$/, '') }
      // Folder first; only when there is no such folder ask for a file (never both in one query).
      const dirResult = await ctx.registry.execute(packageBrowseDirQuery, variables, ctx)
      const { hash, dir } = requireRevision(dirResult.package, ref).revision
      const where = describeRef(ref, hash)
      const base = { bucket: ref.bucket, package_name: ref.name, hash }
      if (dir !== null) {
        const entries = dir.children.map((child) => child.__typename === 'PackageDir'
          ? { kind: 'dir' as const, path: child.path, size: child.size }
          : { kind: 'file' as const, path: child.path, size: child.size, physical_key: child.physicalKey })
        const { items, truncated } = capList(entries, MAX_ENTRIES)
        const label = variables.path === '' ? 'Top level' : `Folder "${variables.path}/"`
        return {
          text: [
            `${label} of ${where}: ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}, ${formatBytes(dir.size)} in all.`,
            ...bulletList(entries, 40, (e) => `${e.path}${e.kind === 'dir' && !e.path.endsWith('/') ? '/' : ''} (${formatBytes(e.size)})`)
          ].join('\n'),
          data: { ...base, kind: 'dir', path: dir.path, size: dir.size, metadata: dir.metadata, total_entries: entries.length, truncated, entries: items }
        }
      }
      // The revision the folder query resolved, so a `latest` moved in between cannot mix two revisions.
      const fileResult = await ctx.registry.execute(packageBrowseFileQuery, { ...variables, hashOrTag: hash }, ctx)
      const { file } = requireRevision(fileResult.package, ref).revision
      if (file === null) {
        throw new ToolInputError(`There is no file or folder "${args.path}" in ${where}. Browse its parent folder (or the top level, path "") to see the exact names.`)
      }
      return {
        text: [
          `File "${file.path}" in ${where}: ${formatBytes(file.size)}, stored at ${file.physicalKey}.`,
          `Metadata: ${file.metadata === null ? '(none)' : preview(file.metadata)}`
        ].join('\n'),
        data: { ...base, kind: 'file', path: file.path, size: file.size, physical_key: file.physicalKey, metadata: file.metadata }
      }
    }
  })
]
