import { packageContentsQuery, packageRevisionsQuery } from '../platform/operations/packages.js'
import { bucketArg, hashArg, packageNameArg } from './arguments.js'
import type { ToolContext } from './context.js'
import { shortHash } from './format.js'
import { ToolInputError } from './result.js'

/** The arguments naming one package; validated (bucket, `namespace/name`) before any registry call. */
export const packageArgs = { bucket: bucketArg, package_name: packageNameArg }

export const revisionArg = hashArg.default('latest')
  .describe('Revision: a top hash (a prefix of 6 or more hex characters is enough; the gateway resolves it) or "latest" (the default)')

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
function packageNotFound (ref: { bucket: string, name: string }, next = CHECK_NAME): ToolInputError {
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

const REVISIONS_PER_PAGE = 100
/** How far back a hash prefix is looked for: 5,000 revisions, newest first. */
const PREFIX_SEARCH_PAGES = 50
const UNIQUE_ENOUGH = 10

/**
 * The package's distinct revision hashes, newest first, paged from the registry's revision list
 * (which repeats a hash when identical content was pushed again: every push adds a pointer).
 * Stops early once `enough` says so, or after `maxPages` pages.
 */
export async function revisionHashes (ctx: ToolContext, ref: PackageRef, enough: (hashes: Set<string>) => boolean = () => false, maxPages = Infinity) {
  const hashes = new Set<string>()
  let complete = false
  for (let number = 1; number <= maxPages; number++) {
    const { package: pkg } = await ctx.registry.execute(packageRevisionsQuery, { bucket: ref.bucket, name: ref.name, number, perPage: REVISIONS_PER_PAGE }, ctx)
    if (pkg === null) throw packageNotFound(ref)
    for (const { hash } of pkg.revisions.page) hashes.add(hash)
    if (pkg.revisions.page.length < REVISIONS_PER_PAGE || number * REVISIONS_PER_PAGE >= pkg.revisions.total) {
      complete = true
      break
    }
    if (enough(hashes)) break
  }
  return { hashes: [...hashes], complete }
}

const FULL_HASH = /^[0-9a-f]{64}$/

/**
 * The ref with a hash prefix replaced by the full hash it names. The registry's `revision(hashOrTag)`
 * takes only "latest" or a full 64-character hash, so a prefix (which the tools' own output shows)
 * is resolved here, against the package's revision list, and never sent.
 */
export async function resolveRef (ctx: ToolContext, ref: PackageRef): Promise<PackageRef> {
  const { hashOrTag: prefix } = ref
  if (prefix === 'latest' || FULL_HASH.test(prefix)) return ref
  const matching = (hashes: Iterable<string>) => [...hashes].filter((hash) => hash.startsWith(prefix))
  // A match of 10+ characters is taken at once (two revisions sharing one is a 1-in-10^12 event);
  // a shorter prefix is checked for uniqueness against every revision.
  const enough = (seen: Set<string>) => {
    const found = matching(seen).length
    return found > 1 || (found === 1 && prefix.length >= UNIQUE_ENOUGH)
  }
  const { hashes, complete } = await revisionHashes(ctx, ref, enough, PREFIX_SEARCH_PAGES)
  const found = matching(hashes)
  if (found.length === 1) return { ...ref, hashOrTag: found[0]! }
  if (found.length > 1) {
    throw new ToolInputError(`Hash prefix "${prefix}" matches several revisions of ${ref.name} in s3://${ref.bucket} (${found.slice(0, 5).map(shortHash).join(', ')}${found.length > 5 ? ', …' : ''}). Give more characters of the hash.`)
  }
  const searched = complete ? 'any' : `the newest ${hashes.length}`
  throw new ToolInputError(`No revision of ${ref.name} in s3://${ref.bucket} has a hash starting with "${prefix}" (searched ${searched} of its revisions). Call package_info for its recent revisions, or give the full hash.`)
}

/** contentsFlatMap's limit: larger revisions come back as null and cannot be diffed or merged here. */
export const MAX_CONTENTS = 10_000

/** A revision with all its entries (PackageContents), or a message saying why they cannot be listed. */
export async function loadContents (ctx: ToolContext, unresolved: PackageRef, ifMissing?: string) {
  const ref = await resolveRef(ctx, unresolved)
  const { package: pkg } = await ctx.registry.execute(packageContentsQuery, { ...ref, max: MAX_CONTENTS }, ctx)
  const { revision } = requireRevision(pkg, ref, ifMissing)
  if (revision.contentsFlatMap === null) {
    throw new ToolInputError(`${describeRef(ref, revision.hash)} has more than ${MAX_CONTENTS} files, too many to list in one registry call. Use package_browse to work folder by folder.`)
  }
  return { ...revision, contents: revision.contentsFlatMap }
}
