import { packageContentsQuery } from '../platform/operations/packages.js'
import { bucketArg, hashArg, packageNameArg } from './arguments.js'
import type { ToolContext } from './context.js'
import { shortHash } from './format.js'
import { ToolInputError } from './result.js'

/** The arguments naming one package; validated (bucket, `namespace/name`) before any registry call. */
export const packageArgs = { bucket: bucketArg, package_name: packageNameArg }

export const revisionArg = hashArg.default('latest')
  .describe('Revision: a top hash (a prefix of 6 or more hex characters is enough) or "latest" (the default)')

// A type alias, not an interface: it is passed as GraphQL variables, which need an index signature.
export type PackageRef = { bucket: string, name: string, hashOrTag: string }

/** Variables for the registry's `package(bucket, name) { revision(hashOrTag) }` operations. */
export function refOf (args: { bucket: string, package_name: string }, hashOrTag = 'latest'): PackageRef {
  return { bucket: args.bucket, name: args.package_name, hashOrTag }
}

export const describeRef = (ref: { bucket: string, name: string }, hash?: string) =>
  `${ref.name}${hash === undefined ? '' : `@${shortHash(hash)}`} in s3://${ref.bucket}`

const CHECK_NAME = 'Check the bucket and name with packages_list or search_packages.'

/** `next` says what to do about it; the default suggests checking the name. */
export function packageNotFound (ref: { bucket: string, name: string }, next = CHECK_NAME): ToolInputError {
  return new ToolInputError(`Package ${ref.name} was not found in s3://${ref.bucket}, or you have no access to it. ${next}`)
}

/** The package with the revision a query resolved, or a message saying whether the package or the revision is missing. */
export function requireRevision<P extends { revision: unknown }> (pkg: P | null, ref: PackageRef, ifMissing = CHECK_NAME): P & { revision: NonNullable<P['revision']> } {
  if (pkg === null) throw packageNotFound(ref, ifMissing)
  if (pkg.revision === null) {
    throw new ToolInputError(`Package ${ref.name} in s3://${ref.bucket} has no revision "${ref.hashOrTag}". Call package_info for its recent revisions.`)
  }
  return pkg as P & { revision: NonNullable<P['revision']> }
}

/** contentsFlatMap's limit: larger revisions come back as null and cannot be diffed or merged here. */
export const MAX_CONTENTS = 10_000

/** A revision with all its entries (PackageContents), or a message saying why they cannot be listed. */
export async function loadContents (ctx: ToolContext, ref: PackageRef, ifMissing?: string) {
  const { package: pkg } = await ctx.registry.execute(packageContentsQuery, { ...ref, max: MAX_CONTENTS }, ctx.signal)
  const { revision } = requireRevision(pkg, ref, ifMissing)
  if (revision.contentsFlatMap === null) {
    throw new ToolInputError(`${describeRef(ref, revision.hash)} has more than ${MAX_CONTENTS} files, too many to list in one registry call. Use package_browse to work folder by folder.`)
  }
  return { ...revision, contents: revision.contentsFlatMap }
}
