import { z } from 'zod'
import { formatPhysicalKey } from '../data/s3-location.js'
import {
  entryFromFlatMap, packageConstructMutation, packageRevisionDeleteMutation, type ConstructEntry
} from '../platform/operations/mutations.js'
import { packageInfoQuery, packageRevisionsQuery } from '../platform/operations/packages.js'
import { RegistryError, RegistryQueryError } from '../platform/registry-errors.js'
import { unwrapArms } from '../platform/union-arms.js'
import { hashArg, logicalPathArg, s3UriArg } from './arguments.js'
import type { ToolContext } from './context.js'
import { defineTool } from './define.js'
import { formatBytes, shortHash } from './format.js'
import { ToolInputError } from './result.js'
import { describeRef, loadContents, MAX_CONTENTS, packageArgs, refOf, requireRevision, resolveRef, revisionHashes, type PackageRef } from './package-ref.js'

const MAX_FILES = 1000
/** Revisions deleted per package_delete call without a hash; a larger package takes several calls. */
const MAX_DELETE = 1000

const fileArg = z.object({
  logical_key: logicalPathArg.refine((key) => key !== '' && !key.endsWith('/'), 'must name a file, e.g. "data/table.csv"')
    .describe('Path of the file inside the package, e.g. "data/table.csv"'),
  s3_uri: s3UriArg
    .describe('Where the file is stored: "s3://bucket/key" or "s3://bucket/key?versionId=...", with the key exactly as in S3 (not URL-encoded; the gateway encodes it)'),
  size: z.number().int().nonnegative().optional().describe('Size in bytes, if known')
})

const filesArg = z.array(fileArg).min(1).max(MAX_FILES)
  .refine((files) => new Set(files.map((f) => f.logical_key)).size === files.length, 'each logical_key may appear only once')

/** What every push takes besides its files: the package, the message, metadata and workflow. */
export const pushParamArgs = {
  ...packageArgs,
  // The registry (pkgpush) refuses an empty or blank message; say so before the call.
  message: z.string().trim().min(1, 'a commit message is required').max(10_000).describe('Commit message for the new revision (required, not blank)'),
  metadata: z.record(z.string(), z.unknown()).meta({ additionalProperties: true }).optional().describe('Package metadata (user_meta): a JSON object with any keys, e.g. {"instrument": "confocal", "plates": 2}'),
  workflow: z.string().trim().max(256).optional()
    .describe('Workflow id. Omit it for the bucket\'s default workflow; "" for no workflow (where the bucket allows that)')
}

// Files right after the package (spreading pushParamArgs again keeps that order): issues are listed in it.
const pushArgs = z.object({ ...packageArgs, files: filesArg.describe(`Files of the revision (1 to ${MAX_FILES}); each already stored in S3`), ...pushParamArgs })

const updateArgs = z.object({
  ...packageArgs,
  files: filesArg.optional().describe(`Files to add or replace (up to ${MAX_FILES}); each already stored in S3`),
  remove: z.array(logicalPathArg.refine((key) => key !== '' && !key.endsWith('/'), 'must name a file, e.g. "data/old.csv"')).min(1).max(MAX_FILES).optional()
    .describe('Logical keys of files to drop from the package, e.g. ["data/old.csv"]'),
  ...pushParamArgs
}).refine((args) => args.files !== undefined || args.remove !== undefined, 'give files (to add or replace), remove (to drop), or both')

type PushParamArgs = z.output<z.ZodObject<typeof pushParamArgs>>
type PushArgs = z.output<typeof pushArgs>

const toEntry = (file: PushArgs['files'][number]): ConstructEntry => ({
  logicalKey: file.logical_key, physicalKey: formatPhysicalKey(file.s3_uri), ...(file.size === undefined ? {} : { size: file.size })
})

/**
 * The workflow a new revision keeps from the latest: its id, or "" when that revision was pushed
 * with "no workflow" (`id: null`), which omitting would turn into the bucket's default.
 */
const inheritedWorkflow = (workflow: { id: string | null } | null): string | undefined => workflow === null ? undefined : workflow.id ?? ''

/** Pushes a revision; `inherited` fills in metadata and workflow the caller did not give (package_update). */
export async function construct (ctx: ToolContext, args: PushParamArgs, entries: ConstructEntry[], inherited: { userMeta?: Record<string, unknown>, workflow?: string } = {}) {
  const { packageConstruct } = await ctx.registry.execute(packageConstructMutation, {
    params: { bucket: args.bucket, name: args.package_name, message: args.message, userMeta: args.metadata ?? inherited.userMeta, workflow: args.workflow ?? inherited.workflow },
    src: { entries }
  }, ctx)
  const { revision } = unwrapArms('PackageConstruct', `create a revision of ${args.package_name} in s3://${args.bucket}`, packageConstruct)
  return {
    line: `${describeRef(refOf(args), revision.hash)}: ${revision.totalEntries ?? entries.length} file(s), ${formatBytes(revision.totalBytes)}`,
    data: { bucket: args.bucket, package_name: args.package_name, hash: revision.hash, modified: revision.modified, total_entries: revision.totalEntries, total_bytes: revision.totalBytes }
  }
}

async function deleteRevision (ctx: ToolContext, ref: PackageRef, hash: string): Promise<void> {
  const { packageRevisionDelete } = await ctx.registry.execute(packageRevisionDeleteMutation, { bucket: ref.bucket, name: ref.name, hash }, ctx)
  unwrapArms('PackageRevisionDelete', `delete revision ${hash} of ${ref.name} in s3://${ref.bucket}`, packageRevisionDelete)
}

export const mutationTools = [
  defineTool({
    name: 'package_create',
    title: 'Create a package revision',
    description: `Creates a package (or a new revision of an existing one) from files already stored in S3, with a commit message (required, not blank) and, if wanted, metadata and a workflow. The new revision contains exactly the given files (1 to ${MAX_FILES}); to add or replace files while keeping the rest of an existing package use package_update. Returns the new top hash. Uploads nothing: every s3_uri must already exist and be readable by the catalog.`,
    inputSchema: pushArgs,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    async run (args, ctx) {
      const { line, data } = await construct(ctx, args, args.files.map(toEntry))
      return { text: `Created revision ${line}.`, data }
    }
  }),

  defineTool({
    name: 'package_update',
    title: 'Update a package',
    description: `Pushes a new revision of an existing package: its latest files, plus files (added, or replacing the same logical_key), minus remove (logical keys to drop). Metadata and workflow are kept unless given. Packages over ${MAX_CONTENTS} files cannot be updated this way. Returns the new top hash and what changed.`,
    inputSchema: updateArgs,
    annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: false },
    async run (args, ctx) {
      const files = args.files ?? []
      const remove = [...new Set(args.remove ?? [])]
      const both = remove.filter((key) => files.some((f) => f.logical_key === key))
      if (both.length > 0) throw new ToolInputError(`${both.join(', ')} is both in files and in remove: give each logical key in one of them.`)
      const latest = await loadContents(ctx, refOf(args), 'To create it, use package_create.')
      const entries = new Map(Object.entries(latest.contents).map(([key, entry]) => [key, entryFromFlatMap(key, entry)]))
      const absent = remove.filter((key) => !entries.has(key))
      if (absent.length > 0) {
        throw new ToolInputError(`Not in the latest revision of ${describeRef(refOf(args))}, so cannot be removed: ${absent.slice(0, 20).join(', ')}. Check the logical keys with package_browse.`)
      }
      for (const key of remove) entries.delete(key)
      const replaced = files.filter((f) => entries.has(f.logical_key)).length
      for (const file of files) entries.set(file.logical_key, toEntry(file))
      if (entries.size === 0) throw new ToolInputError(`That would leave ${describeRef(refOf(args))} empty. To delete the package, use package_delete.`)
      const { line, data } = await construct(ctx, args, [...entries.values()], { userMeta: latest.userMeta ?? undefined, workflow: inheritedWorkflow(latest.workflow) })
      const added = files.length - replaced
      const kept = entries.size - files.length
      return {
        text: `Updated ${line}. From ${shortHash(latest.hash)}: ${added} file(s) added, ${replaced} replaced, ${remove.length === 0 ? '' : `${remove.length} removed, `}${kept} kept.`,
        data: { ...data, previous_hash: latest.hash, added, replaced, removed: remove.length, kept }
      }
    }
  }),

  defineTool({
    name: 'package_delete',
    title: 'Delete a package or a revision',
    description: `Permanently deletes one revision of a package (when hash is given) or, without hash, EVERY revision, which removes the package from the catalog (up to ${MAX_DELETE} revisions per call, oldest first; call again for the rest). The files in S3 are not deleted. Cannot be undone: confirm with the user first, and prefer passing a hash.`,
    inputSchema: z.object({ ...packageArgs, hash: hashArg.optional().describe('The revision to delete: a top hash (6+ hex characters are enough) or "latest". Omit to delete every revision') }),
    // Not idempotent: "latest" or no hash names a different revision after each delete.
    annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: false },
    async run (args, ctx) {
      const base = { bucket: args.bucket, package_name: args.package_name }
      if (args.hash !== undefined) {
        const ref = await resolveRef(ctx, refOf(args, args.hash))
        const { package: pkg } = await ctx.registry.execute(packageInfoQuery, ref, ctx)
        const { revision: { hash } } = requireRevision(pkg, ref)
        await deleteRevision(ctx, ref, hash)
        // Counted after the delete: it removes every pointer to the hash, however many there were.
        const { package: after } = await ctx.registry.execute(packageRevisionsQuery, { bucket: ref.bucket, name: ref.name, number: 1, perPage: 1 }, ctx)
        const remaining = after?.revisions.total ?? 0
        return {
          text: `Deleted revision ${hash} of ${describeRef(ref)}. ${remaining} revision(s) remain${remaining === 0 ? '; the package no longer exists' : ''}.`,
          data: { ...base, deleted: [hash], remaining }
        }
      }
      const ref = refOf(args)
      // Distinct hashes only: deleting one removes all its pointers, so a repeated hash would fail the second time.
      const hashes = (await revisionHashes(ctx, ref)).hashes.reverse()
      const total = hashes.length
      const deleted: string[] = []
      // Oldest first: if a call fails part way (or the cap is reached), the package keeps its latest revision.
      try {
        for (const hash of hashes.slice(0, MAX_DELETE)) {
          await deleteRevision(ctx, ref, hash)
          deleted.push(hash)
        }
      } catch (err) {
        if (deleted.length === 0 || !(err instanceof RegistryError)) throw err
        throw new RegistryQueryError(`Deleted ${deleted.length} of ${total} revision(s) of ${describeRef(ref)} (oldest first), then stopped: ${err.message}`, { cause: err })
      }
      const remaining = total - deleted.length
      return {
        text: remaining === 0
          ? `Deleted all ${deleted.length} revision(s) of ${describeRef(ref)}; the package no longer exists.`
          : `Deleted ${deleted.length} of ${total} revision(s) of ${describeRef(ref)} (oldest first); call package_delete again to delete the remaining ${remaining}.`,
        data: { ...base, deleted, remaining }
      }
    }
  })
]
