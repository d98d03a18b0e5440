import { z } from 'zod'
import { packagePromoteMutation } from '../platform/operations/data.js'
import { packageInfoQuery } from '../platform/operations/packages.js'
import { unwrapArms } from '../platform/union-arms.js'
import { bucketArg, packageNameArg } from './arguments.js'
import { defineTool } from './define.js'
import { formatBytes, shortHash } from './format.js'
import { describeRef, packageArgs, refOf, requireRevision, resolveRef, revisionArg } from './package-ref.js'
import { ToolInputError } from './result.js'

type PromoteResult = z.infer<typeof packagePromoteMutation.result>['packagePromote']

/** The registry's refusal when the source bucket's workflow config does not allow the destination. */
function isInvalidSuccessor (result: PromoteResult): boolean {
  if (result.__typename === 'InvalidInput') return result.errors.some((e) => e.name === 'InvalidSuccessor')
  return result.__typename === 'OperationError' && result.name === 'InvalidSuccessor'
}

export const promoteTools = [
  defineTool({
    name: 'package_promote',
    title: 'Promote a package to another bucket',
    description: 'Copies one revision of a package (the latest unless hash is given) to another bucket as a new revision there, the catalog\'s "Push to bucket": the registry copies the files into the destination and keeps the metadata. dest_name defaults to the same package name; message defaults to one naming the source. The source bucket\'s workflow config may list which buckets are allowed as destinations (successors); others are refused.',
    inputSchema: z.object({
      ...packageArgs,
      hash: revisionArg,
      dest_bucket: bucketArg.describe('Bucket to promote to (name or s3://name)'),
      dest_name: packageNameArg.optional().describe('Package name in the destination; default: the same name'),
      message: z.string().trim().min(1).max(10_000).optional().describe('Commit message of the new revision; default: "Promoted from s3://bucket/name@hash"')
    }),
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    async run (args, ctx) {
      // packagePromote takes a full top hash only: a prefix is resolved here, "latest" by the revision query.
      const ref = await resolveRef(ctx, refOf(args, args.hash))
      const { package: pkg } = await ctx.registry.execute(packageInfoQuery, ref, ctx)
      const { revision } = requireRevision(pkg, ref)
      const destName = args.dest_name ?? args.package_name
      const source = describeRef(ref, revision.hash)
      const { packagePromote } = await ctx.registry.execute(packagePromoteMutation, {
        params: {
          bucket: args.dest_bucket,
          name: destName,
          message: args.message ?? `Promoted from s3://${ref.bucket}/${ref.name}@${shortHash(revision.hash)}`,
          ...(revision.userMeta === null ? {} : { userMeta: revision.userMeta })
        },
        src: { bucket: ref.bucket, name: ref.name, hash: revision.hash }
      }, ctx)
      if (isInvalidSuccessor(packagePromote)) {
        throw new ToolInputError(`The registry refused to promote ${source} to s3://${args.dest_bucket}: the source bucket's workflow config does not list this destination (InvalidSuccessor). Promote to one of the successor buckets its workflow config lists, or ask a catalog administrator to add s3://${args.dest_bucket} as a successor.`)
      }
      const { revision: created } = unwrapArms('PackagePromote', `promote ${source} to s3://${args.dest_bucket}`, packagePromote)
      return {
        text: `Promoted ${source} to ${describeRef({ bucket: args.dest_bucket, name: destName }, created.hash)}: ${created.totalEntries ?? 'unknown number of'} file(s), ${formatBytes(created.totalBytes)}.`,
        data: {
          source: { bucket: ref.bucket, package_name: ref.name, hash: revision.hash },
          bucket: args.dest_bucket,
          package_name: destName,
          hash: created.hash,
          modified: created.modified,
          total_entries: created.totalEntries,
          total_bytes: created.totalBytes
        }
      }
    }
  })
]
