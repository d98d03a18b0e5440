import { ListObjectsV2Command } from '@aws-sdk/client-s3'
import type { DataAccess } from './data-access.js'
import { DataInputError } from './errors.js'
import { inBucketRegion } from './regions.js'
import { s3Failure } from './s3.js'

export interface PrefixObject {
  key: string
  size: number
}

/**
 * Every object under a prefix (no delimiter: the whole subtree) that `keep` accepts, page by page.
 * Listing stops as soon as more than `max` objects were kept, or more than `maxScanned` were seen
 * (a huge prefix with a narrow filter), so memory and time stay bounded; both end in an input error
 * that says how to narrow the request.
 */
export async function listPrefix (access: DataAccess, args: { bucket: string, prefix: string, keep: (key: string) => boolean, max: number, maxScanned: number }): Promise<PrefixObject[]> {
  const where = `s3://${args.bucket}/${args.prefix}`
  const kept: PrefixObject[] = []
  let scanned = 0
  let cursor: string | undefined
  do {
    const page = await inBucketRegion(access, args.bucket, s3Failure(where), (client) => client.send(new ListObjectsV2Command({
      Bucket: args.bucket, Prefix: args.prefix === '' ? undefined : args.prefix, MaxKeys: 1000, ContinuationToken: cursor
    }), { abortSignal: access.callSignal() }))
    for (const object of page.Contents ?? []) {
      scanned++
      // Zero-byte "folder" markers (keys ending in "/") are how consoles show folders, not files.
      if (object.Key === undefined || object.Key.endsWith('/') || !args.keep(object.Key)) continue
      kept.push({ key: object.Key, size: object.Size ?? 0 })
      if (kept.length > args.max) {
        throw new DataInputError(`More than ${args.max} objects under ${where} match: a package from a prefix holds at most ${args.max}. Narrow the prefix, or add include/exclude globs.`)
      }
    }
    if (scanned > args.maxScanned) {
      throw new DataInputError(`Listed ${args.maxScanned} objects under ${where} without finishing: too many to filter in one call. Use a narrower prefix.`)
    }
    cursor = page.IsTruncated === true ? page.NextContinuationToken : undefined
  } while (cursor !== undefined)
  return kept
}
