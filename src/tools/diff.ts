import { isDeepStrictEqual } from 'node:util'
import { z } from 'zod'
import type { FlatMapEntry } from '../platform/operations/packages.js'
import { bucketArg, hashArg, packageNameArg } from './arguments.js'
import { defineTool } from './define.js'
import { bulletList, capList, formatBytes } from './format.js'
import { describeRef, loadContents, MAX_CONTENTS, packageArgs, refOf, revisionArg } from './package-ref.js'
import { ToolInputError } from './result.js'

/** Entries per category carried in structuredContent; the summary counts them all. */
const MAX_LISTED = 500
const TEXT_LINES = 15

type Contents = Record<string, FlatMapEntry>

/** Same content: equal hashes when both sides have one, else same object and size; plus same entry metadata. */
function sameEntry (a: FlatMapEntry, b: FlatMapEntry): boolean {
  const sameContent = a.hash && b.hash
    ? a.hash.type === b.hash.type && a.hash.value === b.hash.value
    : a.physicalKey === b.physicalKey && a.size === b.size
  return sameContent && isDeepStrictEqual(a.meta ?? null, b.meta ?? null)
}

export function diffContents (a: Contents, b: Contents) {
  const byKey = (x: { logical_key: string }, y: { logical_key: string }) => x.logical_key < y.logical_key ? -1 : 1
  const added = Object.entries(b).filter(([key]) => !Object.hasOwn(a, key)).map(([key, e]) => ({ logical_key: key, size: e.size })).sort(byKey)
  const removed = Object.entries(a).filter(([key]) => !Object.hasOwn(b, key)).map(([key, e]) => ({ logical_key: key, size: e.size })).sort(byKey)
  const common = Object.entries(a).filter(([key]) => Object.hasOwn(b, key))
  const modified = common.filter(([key, e]) => !sameEntry(e, b[key]!))
    .map(([key, e]) => ({ logical_key: key, size_a: e.size, size_b: b[key]!.size })).sort(byKey)
  return { added, removed, modified, unchanged: common.length - modified.length }
}

export const diffTools = [
  defineTool({
    name: 'package_diff',
    title: 'Compare package revisions',
    description: `Compares the files of two package revisions: which logical keys were added, removed or modified (content or entry metadata changed) from side A to side B, with sizes, and whether the package metadata changed. Side A is package_name at hash_a; side B is hash_b (default "latest") of the same package, or of another package given by other_package_name and/or other_bucket. Revisions with more than ${MAX_CONTENTS} files cannot be compared; lists carry at most ${MAX_LISTED} keys per category (the counts are always complete).`,
    inputSchema: z.object({
      ...packageArgs,
      hash_a: hashArg.describe('Side A (before): a top hash (6+ hex characters) or "latest"'),
      hash_b: revisionArg.describe('Side B (after): a top hash or "latest" (default)'),
      other_bucket: bucketArg.optional().describe('Bucket of side B, when comparing with a package in another bucket (default: bucket)'),
      other_package_name: packageNameArg.optional().describe('Package of side B, when comparing two different packages (default: package_name)')
    }),
    annotations: { readOnlyHint: true, idempotentHint: true, openWorldHint: false },
    async run (args, ctx) {
      const refA = refOf(args, args.hash_a)
      const refB = { bucket: args.other_bucket ?? args.bucket, name: args.other_package_name ?? args.package_name, hashOrTag: args.hash_b }
      if (refA.bucket === refB.bucket && refA.name === refB.name && refA.hashOrTag === refB.hashOrTag) {
        throw new ToolInputError(`Both sides are revision "${refA.hashOrTag}" of ${refA.name}. Give hash_b, or another package (other_package_name / other_bucket), to compare with.`)
      }
      const [a, b] = await Promise.all([loadContents(ctx, refA), loadContents(ctx, refB)])
      const diff = diffContents(a.contents, b.contents)
      const metadataChanged = !isDeepStrictEqual(a.userMeta, b.userMeta)
      const summary = { added: diff.added.length, removed: diff.removed.length, modified: diff.modified.length, unchanged: diff.unchanged, metadata_changed: metadataChanged }
      const sizeOf = (e: { logical_key: string, size: number }) => `${e.logical_key} (${formatBytes(e.size)})`
      const section = <T>(title: string, items: T[], line: (item: T) => string) => items.length === 0 ? [] : [`${title}:`, ...bulletList(items, TEXT_LINES, line)]
      const head = `${describeRef(refA, a.hash)} → ${describeRef(refB, b.hash)}: ` + (a.hash === b.hash
        ? 'the same revision, identical.'
        : `${summary.added} added, ${summary.removed} removed, ${summary.modified} modified, ${summary.unchanged} unchanged; package metadata ${metadataChanged ? 'changed' : 'unchanged'}.`)
      const lists = { added: capList(diff.added, MAX_LISTED), removed: capList(diff.removed, MAX_LISTED), modified: capList(diff.modified, MAX_LISTED) }
      return {
        text: [
          head,
          ...section('Added', diff.added, sizeOf),
          ...section('Removed', diff.removed, sizeOf),
          ...section('Modified', diff.modified, (e) => `${e.logical_key} (${formatBytes(e.size_a)} → ${formatBytes(e.size_b)})`)
        ].join('\n'),
        data: {
          a: { bucket: refA.bucket, package_name: refA.name, hash: a.hash, modified: a.modified, message: a.message },
          b: { bucket: refB.bucket, package_name: refB.name, hash: b.hash, modified: b.modified, message: b.message },
          summary,
          added: lists.added.items,
          removed: lists.removed.items,
          modified: lists.modified.items,
          truncated: lists.added.truncated || lists.removed.truncated || lists.modified.truncated
        }
      }
    }
  })
]
