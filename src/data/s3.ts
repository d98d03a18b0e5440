import { GetObjectCommand, HeadObjectCommand, ListObjectsV2Command, S3ServiceException, type HeadObjectCommandOutput, PutObjectCommand } from '@aws-sdk/client-s3'
import { getSignedUrl } from '@aws-sdk/s3-request-presigner'
import type { DataAccess } from './data-access.js'
import { DataAccessDeniedError, DataExpiredError, DataInputError, DataNotFoundError, DataUnavailableError, type DataError } from './errors.js'
import { inBucketRegion } from './regions.js'
import { formatS3Uri, type S3Location } from './s3-location.js'

/** Longest a presigned link may live (the tool's own limit; the credentials may end it sooner). */
export const MAX_LINK_SECONDS = 3600

const EXPIRED = new Set(['ExpiredToken', 'TokenRefreshRequired', 'RequestExpired'])
const DENIED = new Set(['AccessDenied', 'Forbidden', 'AllAccessDisabled', 'InvalidAccessKeyId', 'InvalidToken', 'SignatureDoesNotMatch', 'AccountProblem'])
const MISSING = new Set(['NoSuchKey', 'NoSuchBucket', 'NoSuchVersion', 'NotFound'])

/** A bodyless HTTP 400 (a HEAD's): a malformed request or expired credentials, S3 did not say which. */
class UnnamedBadRequestError extends DataInputError {}

/** What an S3 failure means for the caller, for the object or bucket it concerned. */
export function s3Failure (what: string) {
  return (err: unknown): DataError | 'expired' => {
    if (!(err instanceof S3ServiceException)) {
      return new DataUnavailableError(`Could not reach S3 for ${what} (network error). Try again later.`, { cause: err })
    }
    const status = err.$metadata.httpStatusCode
    if (EXPIRED.has(err.name)) return 'expired'
    // HEAD answers carry no body, so the SDK names their errors after the status only: a 400 may be
    // expired credentials or a malformed request (a bad versionId). headObject asks again to tell.
    if (status === 400 && (err.name === 'BadRequest' || err.name === 'Unknown')) {
      return new UnnamedBadRequestError(`S3 refused the request for ${what} as malformed (HTTP 400). Check the URI and its versionId.`, { cause: err })
    }
    if (DENIED.has(err.name) || status === 403) {
      return new DataAccessDeniedError(`Access denied to ${what}: your role in this catalog may not read it. Check the bucket with bucket_list, or ask a catalog administrator for access.`, { cause: err })
    }
    if (MISSING.has(err.name) || status === 404) {
      const noun = err.name === 'NoSuchBucket' ? 'bucket' : err.name === 'NoSuchVersion' ? 'version' : 'object'
      return new DataNotFoundError(`No such ${noun}: ${what}. Check the key with bucket_objects_list (keys are case-sensitive).`, { cause: err })
    }
    if (err.name === 'InvalidRange') return new DataInputError(`The offset is past the end of ${what}.`, { cause: err })
    if (status === 400) {
      return new DataInputError(`S3 refused the request for ${what} as malformed (${err.name}: ${err.message.slice(0, 200)}). Check the URI and its versionId.`, { cause: err })
    }
    return new DataUnavailableError(`S3 answered ${err.name} (HTTP ${status ?? '?'}) for ${what}. Try again later.`, { cause: err })
  }
}

export interface ObjectListing {
  folders: string[]
  objects: Array<{ key: string, size: number, modified: string | null, storage_class: string | null }>
  /** Continuation token for the next page, or null on the last one. */
  cursor: string | null
}

export async function listObjects (access: DataAccess, args: { bucket: string, prefix: string, limit: number, cursor?: string }): Promise<ObjectListing> {
  const where = `s3://${args.bucket}/${args.prefix}`
  const page = await inBucketRegion(access, args.bucket, s3Failure(where), (client) => client.send(new ListObjectsV2Command({
    Bucket: args.bucket, Prefix: args.prefix === '' ? undefined : args.prefix, Delimiter: '/', MaxKeys: args.limit, ContinuationToken: args.cursor
  }), { abortSignal: access.callSignal() }))
  return {
    folders: (page.CommonPrefixes ?? []).flatMap((p) => p.Prefix === undefined ? [] : [p.Prefix]),
    objects: (page.Contents ?? []).flatMap((o) => o.Key === undefined
      ? []
      : [{ key: o.Key, size: o.Size ?? 0, modified: o.LastModified?.toISOString() ?? null, storage_class: o.StorageClass ?? null }]),
    cursor: page.IsTruncated === true ? page.NextContinuationToken ?? null : null
  }
}

export interface ObjectInfo {
  size: number
  content_type: string | null
  content_encoding: string | null
  modified: string | null
  etag: string | null
  version_id: string | null
  storage_class: string | null
  metadata: Record<string, string>
}

export async function headObject (access: DataAccess, location: S3Location): Promise<ObjectInfo> {
  const request = { Bucket: location.bucket, Key: location.key, VersionId: location.versionId }
  const failure = s3Failure(formatS3Uri(location))
  let head: HeadObjectCommandOutput
  try {
    head = await inBucketRegion(access, location.bucket, failure, (client) => client.send(new HeadObjectCommand(request), { abortSignal: access.callSignal() }))
  } catch (err) {
    if (!(err instanceof UnnamedBadRequestError)) throw err
    // The same question as a one-byte GET, whose error has a body that names it (ExpiredToken, InvalidArgument).
    head = await inBucketRegion(access, location.bucket, failure, async (client) => {
      const object = await client.send(new GetObjectCommand({ ...request, Range: 'bytes=0-0' }), { abortSignal: access.callSignal() })
      ;(object.Body as { destroy?: () => void } | undefined)?.destroy?.()
      const total = /\/(\d+)$/.exec(object.ContentRange ?? '')?.[1]
      return { ...object, ContentLength: total === undefined ? object.ContentLength : Number(total) }
    })
  }
  return {
    size: head.ContentLength ?? 0,
    content_type: head.ContentType ?? null,
    content_encoding: head.ContentEncoding ?? null,
    modified: head.LastModified?.toISOString() ?? null,
    etag: head.ETag ?? null,
    version_id: head.VersionId ?? null,
    storage_class: head.StorageClass ?? null,
    metadata: head.Metadata ?? {}
  }
}

export interface ObjectRange {
  bytes: Buffer
  /** Size of the whole object. */
  size: number
  contentType: string | null
  contentEncoding: string | null
}

/** The head of a GetObject answer and its body, for a reader that consumes the body as it streams. */
export interface ObjectStream {
  /** Size of the whole object. */
  size: number
  contentType: string | null
  contentEncoding: string | null
  body: AsyncIterable<Uint8Array>
  /** The caller's signal and the call's deadline: a reader stops when it aborts. */
  signal: AbortSignal
}

/**
 * GETs bytes [offset, offset + length) of an object (fewer at its end) and hands the body to `consume`
 * as it streams. The body is destroyed once `consume` returns or throws, and the request is aborted
 * when the caller goes away or the deadline passes, so an early stop never leaves S3 sending.
 */
export async function streamObject<T> (access: DataAccess, location: S3Location, offset: number, length: number, consume: (object: ObjectStream) => Promise<T>): Promise<T> {
  return inBucketRegion(access, location.bucket, s3Failure(formatS3Uri(location)), async (client) => {
    const signal = access.callSignal()
    const object = await client.send(new GetObjectCommand({
      Bucket: location.bucket, Key: location.key, VersionId: location.versionId, Range: `bytes=${offset}-${offset + length - 1}`
    }), { abortSignal: signal })
    const body = object.Body as (AsyncIterable<Uint8Array> & { destroy?: () => void }) | undefined
    const total = /\/(\d+)$/.exec(object.ContentRange ?? '')?.[1]
    try {
      return await consume({
        size: total === undefined ? offset + (object.ContentLength ?? 0) : Number(total),
        contentType: object.ContentType ?? null,
        contentEncoding: object.ContentEncoding ?? null,
        body: access.pool.cost.meterS3Read(body ?? (async function * () {})()),
        signal
      })
    } finally {
      body?.destroy?.()
    }
  })
}

/** Reads at most `max` bytes of a body, even from a server that ignored the Range header. */
export async function readAtMost (body: AsyncIterable<Uint8Array>, max: number): Promise<Buffer> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    chunks.push(Buffer.from(chunk))
    size += chunk.length
    if (size >= max) break
  }
  return Buffer.concat(chunks).subarray(0, max)
}

/** Bytes [offset, offset + length) of an object (fewer at its end). */
export async function readRange (access: DataAccess, location: S3Location, offset: number, length: number): Promise<ObjectRange> {
  return streamObject(access, location, offset, length, async ({ body, size, contentType, contentEncoding }) => {
    return { bytes: await readAtMost(body, length), size, contentType, contentEncoding }
  })
}

export interface PresignedLink {
  url: string
  expires_at: string
  expires_in: number
}

/**
 * A presigned GET for an object that exists (checked first, so nobody is handed a dead link). The
 * link lives `expiresIn` seconds at most, and never past the caller's credentials, which sign it.
 */
export async function presignGet (access: DataAccess, location: S3Location, expiresIn: number): Promise<PresignedLink & { info: ObjectInfo }> {
  // The HEAD also teaches the bucket's region (S3 never redirects a presigned link, so it must be right).
  const info = await headObject(access, location)
  const link = await presign(access, location, expiresIn, new GetObjectCommand({ Bucket: location.bucket, Key: location.key, VersionId: location.versionId }))
  return { ...link, info }
}

/**
 * Signs `command` for the bucket's region (learnt by an earlier call through inBucketRegion) with the
 * caller's credentials, for `expiresIn` seconds at most and never past those credentials.
 */
export async function presign (access: DataAccess, location: S3Location, expiresIn: number, command: GetObjectCommand | PutObjectCommand, signedHeaders?: Set<string>): Promise<PresignedLink> {
  return inBucketRegion(access, location.bucket, s3Failure(formatS3Uri(location)), async (client, credentials) => {
    const lifetime = Math.min(expiresIn, Math.floor((credentials.expiration.getTime() - Date.now()) / 1000))
    if (lifetime < 1) throw new DataExpiredError()
    const url = await getSignedUrl(client, command, { expiresIn: lifetime, ...(signedHeaders === undefined ? {} : { signableHeaders: signedHeaders }) })
    access.pool.cost.linkIssued(command instanceof PutObjectCommand ? 'PUT' : 'GET')
    return { url, expires_in: lifetime, expires_at: new Date(Date.now() + lifetime * 1000).toISOString() }
  })
}
