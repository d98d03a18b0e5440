import { PutObjectCommand, S3ServiceException } from '@aws-sdk/client-s3'
import type { DataAccess } from './data-access.js'
import { DataError } from './errors.js'
import { inBucketRegion } from './regions.js'
import { headObject, presign, s3Failure, type PresignedLink } from './s3.js'
import { formatS3Uri, type S3Location } from './s3-location.js'

export interface PutItem {
  key: string
  body: Buffer
  contentType: string
}

export type PutOutcome =
  | { key: string, status: 'written', size: number, etag: string | null, version_id: string | null }
  | { key: string, status: 'exists' | 'conflict' | 'failed', reason: string }

/**
 * Writes one object with the caller's role. Without `overwrite` the write is conditional on the key
 * being absent (`If-None-Match: *`), so an existing object is never replaced, even by a racing
 * writer: S3 answers 412 PreconditionFailed, or 409 ConditionalRequestConflict while another
 * conditional write of the key is in flight. Each item succeeds or fails on its own.
 */
export async function putObject (access: DataAccess, bucket: string, item: PutItem, overwrite: boolean): Promise<PutOutcome> {
  const where = formatS3Uri({ bucket, key: item.key })
  try {
    const put = await inBucketRegion(access, bucket, (err) => {
      // Conditional-write answers are outcomes of this item, not failures of the call.
      if (err instanceof S3ServiceException && (err.name === 'PreconditionFailed' || err.name === 'ConditionalRequestConflict')) return new ItemRefused(err.name)
      return s3Failure(where)(err)
    }, (client) => client.send(new PutObjectCommand({
      Bucket: bucket, Key: item.key, Body: item.body, ContentType: item.contentType, ...(overwrite ? {} : { IfNoneMatch: '*' })
    }), { abortSignal: access.callSignal() }))
    access.pool.cost.s3Written(item.body.length)
    return { key: item.key, status: 'written', size: item.body.length, etag: put.ETag ?? null, version_id: put.VersionId ?? null }
  } catch (err) {
    if (err instanceof ItemRefused) {
      return err.message === 'PreconditionFailed'
        ? { key: item.key, status: 'exists', reason: `${where} already exists; not overwritten. Pass overwrite: true to replace it, or choose another key.` }
        : { key: item.key, status: 'conflict', reason: `Another upload to ${where} was in progress; nothing written. Try again.` }
    }
    // The caller going away ends the whole call; any other failure is this item's.
    if (err instanceof DataError && err.kind !== 'cancelled' && err.kind !== 'expired' && err.kind !== 'credentials') {
      return { key: item.key, status: 'failed', reason: err.message }
    }
    throw err
  }
}

class ItemRefused extends DataError {
  override readonly kind = 'refused'
}

/**
 * A presigned PUT for one key, signed for the bucket's region (learnt by the HEAD before it, which
 * also says whether the link would replace an existing object). With `contentType` the uploader must
 * send that exact Content-Type, since it is signed.
 */
export async function presignPut (access: DataAccess, location: S3Location, expiresIn: number, contentType?: string): Promise<PresignedLink & { exists: boolean | null }> {
  let exists: boolean | null
  try {
    await headObject(access, location)
    exists = true
  } catch (err) {
    if (!(err instanceof DataError) || (err.kind !== 'not_found' && err.kind !== 'access_denied')) throw err
    // A role may write without reading (403 on HEAD): whether the key exists is then unknown.
    exists = err.kind === 'not_found' ? false : null
  }
  // The presigner signs only Host unless told: a Content-Type the uploader could change would be no promise.
  const command = new PutObjectCommand({ Bucket: location.bucket, Key: location.key, ContentType: contentType })
  const link = await presign(access, location, expiresIn, command, contentType === undefined ? undefined : new Set(['content-type']))
  return { ...link, exists }
}
