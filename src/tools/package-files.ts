import { z } from 'zod'
import { readObjectText } from '../data/object-text.js'
import { presignGet } from '../data/s3.js'
import { parsePhysicalKey, type S3Location } from '../data/s3-location.js'
import { packageBrowseFileQuery } from '../platform/operations/browse.js'
import { logicalPathArg } from './arguments.js'
import type { ToolContext } from './context.js'
import { defineTool } from './define.js'
import { linkArgs, linkOutput, textArgs, textOutput } from './objects.js'
import { describeRef, packageArgs, refOf, requireRevision, resolveRef, revisionArg } from './package-ref.js'
import { ToolInputError } from './result.js'

const fileArgs = {
  ...packageArgs,
  path: logicalPathArg.refine((path) => path !== '' && !path.endsWith('/'), 'must name a file, e.g. "data/table.csv"')
    .describe('Logical path of a file inside the package, e.g. "data/table.csv" (package_browse lists them)'),
  hash: revisionArg
}

/** The S3 object (and version) a package path points at, from the registry's `revision.file(path)`. */
async function physicalLocation (ctx: ToolContext, args: { bucket: string, package_name: string, path: string, hash: string }) {
  const ref = await resolveRef(ctx, refOf(args, args.hash))
  const { package: pkg } = await ctx.registry.execute(packageBrowseFileQuery, { ...ref, path: args.path }, ctx)
  const { revision } = requireRevision(pkg, ref)
  const where = describeRef(ref, revision.hash)
  if (revision.file === null) {
    throw new ToolInputError(`There is no file "${args.path}" in ${where}. Browse the package with package_browse to see the exact paths.`)
  }
  const location: S3Location | undefined = parsePhysicalKey(revision.file.physicalKey)
  if (location === undefined) {
    throw new ToolInputError(`"${args.path}" in ${where} is stored at ${revision.file.physicalKey}, which is not an S3 object the gateway can read.`)
  }
  return { location, what: `"${args.path}" of ${where}`, extra: { bucket: ref.bucket, package_name: ref.name, hash: revision.hash, path: args.path } }
}

export const packageFileTools = [
  defineTool({
    name: 'package_file_text',
    title: 'Read a package file\'s text',
    description: 'Returns the text of one file of a package revision (the latest unless hash is given), read from the exact S3 object version the package points at, with your own role. Same reading rules as bucket_object_text: at most max_bytes from offset, gzip decompressed, a column preview for CSV/TSV, and a download link instead of binary content.',
    inputSchema: z.object({ ...fileArgs, ...textArgs }),
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    async run (args, ctx) {
      const { location, what, extra } = await physicalLocation(ctx, args)
      return textOutput(what, location, await readObjectText(ctx.data, location, args.offset, args.max_bytes), extra)
    }
  }),

  defineTool({
    name: 'package_file_link',
    title: 'Download link for a package file',
    description: 'Makes a presigned download link for one file of a package revision (the exact S3 object version the package points at), signed with your own role\'s temporary credentials. Same rules as bucket_object_link.',
    inputSchema: z.object({ ...fileArgs, ...linkArgs }),
    annotations: { readOnlyHint: true, idempotentHint: false, openWorldHint: false },
    async run (args, ctx) {
      const { location, what, extra } = await physicalLocation(ctx, args)
      return linkOutput(what, location, await presignGet(ctx.data, location, args.expires_in), extra)
    }
  })
]
