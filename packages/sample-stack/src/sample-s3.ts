import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import S3rver from 's3rver'
import { SampleCredentials, type IssuedCredentials } from './credentials.js'
import type { TenantData } from './data.js'
import { sampleBuckets, sampleObjects } from './sample-objects.js'
import { listObjectsV2, type ObjectStore } from './sample-s3-listing.js'
import { ConditionalWrites } from './sample-s3-writes.js'
import { checkSignature } from './sigv4-check.js'

/** Buckets that live outside the default region, so clients must follow S3's region redirect. */
const SAMPLE_BUCKET_REGIONS: Record<string, string> = { 'cellpainting-data': 'eu-west-1' }
const SAMPLE_DEFAULT_REGION = 'us-east-1'

/** What the sample S3 saw of one request. */
interface S3Request {
  method: string
  bucket: string | null
  key: string | null
  versionId: string | null
  accessKeyId: string | null
  presigned: boolean
  /** The gate's own answer (ExpiredToken, AccessDenied, ...), or null when s3rver answered. */
  refused: string | null
}

export interface SampleS3Options {
  tenants: Record<string, TenantData>
  /** The issuers whose credentials this S3 accepts (one per sample registry sharing it). */
  credentials: SampleCredentials[]
  port?: number
  host?: string
  /**
   * Keys listed (ListObjectsV2) but not stored: `count` keys `<prefix>part-00001.csv`... in `bucket`,
   * for tests of listings too large to write object by object.
   */
  listedOnly?: { bucket: string, prefix: string, count: number }
}

export interface SampleS3 {
  /** Endpoint for AWS_ENDPOINT_URL_S3, e.g. http://127.0.0.1:PORT (path-style). */
  url: string
  requests: S3Request[]
  close: () => Promise<void>
}

function parseAuth (req: IncomingMessage, query: URLSearchParams) {
  const header = req.headers.authorization ?? ''
  const scope = /Credential=([^,\s]+)/.exec(header)?.[1] ?? query.get('X-Amz-Credential') ?? ''
  const [accessKeyId, , region] = scope.split('/')
  const token = req.headers['x-amz-security-token']
  return {
    accessKeyId: accessKeyId === undefined || accessKeyId === '' ? null : accessKeyId,
    region: region ?? null,
    sessionToken: (typeof token === 'string' ? token : null) ?? query.get('X-Amz-Security-Token'),
    presigned: query.has('X-Amz-Signature')
  }
}

function refuse (req: IncomingMessage, res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}) {
  const body = req.method === 'HEAD' ? '' : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${message}</Message></Error>`
  res.writeHead(status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body), ...headers })
  res.end(body)
}

/**
 * A real S3-compatible server (s3rver, on a temp directory) behind a gate that does what s3rver does
 * not: it accepts only the temporary credentials the sample registries issued, with their session
 * token, answers ExpiredToken for expired ones, AccessDenied for buckets outside the user's role, and
 * PermanentRedirect for a bucket signed for the wrong region (SAMPLE_BUCKET_REGIONS), and serves
 * ListObjectsV2 (sample-s3-listing.ts), honours conditional writes (sample-s3-writes.ts), and verifies SigV4 signatures, presigned links included
 * (sigv4-check.ts; s3rver 3.7 leaves that unimplemented). s3rver has no versioning: a versionId is
 * recorded (requests) but every version reads as the latest bytes.
 */
export async function startSampleS3 (options: SampleS3Options): Promise<SampleS3> {
  const directory = await mkdtemp(join(tmpdir(), 'quilt-sample-s3-'))
  const buckets = sampleBuckets(options.tenants)
  const s3rver = new S3rver({ directory, silent: true })
  const stored = (s3rver as unknown as { store: ObjectStore & { existsObject (bucket: string, key: string): Promise<boolean> } }).store
  const conditional = new ConditionalWrites(stored)
  const listedOnly = options.listedOnly
  const store: ObjectStore = listedOnly === undefined
    ? stored
    : {
        async listObjects (bucket, query) {
          const { objects } = await stored.listObjects(bucket, query)
          if (bucket !== listedOnly.bucket) return { objects }
          const lastModifiedDate = new Date('2025-01-01T00:00:00.000Z')
          const extra = Array.from({ length: listedOnly.count }, (_, n) => ({ key: `${listedOnly.prefix}part-${String(n + 1).padStart(5, '0')}.csv`, size: 100, lastModifiedDate, metadata: {} }))
          return { objects: [...objects, ...extra.filter((o) => o.key.startsWith(query.prefix ?? ''))] }
        }
      }
  const inner = s3rver.callback()
  // The seeding key may write everywhere; it never leaves this function.
  const seeder = new SampleCredentials()
  const issuers = [...options.credentials, seeder]
  const requests: S3Request[] = []

  function find (accessKeyId: string | null): IssuedCredentials | undefined {
    if (accessKeyId === null) return undefined
    for (const issuer of issuers) {
      const found = issuer.find(accessKeyId)
      if (found !== undefined) return found
    }
    return undefined
  }

  async function gate (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://s3')
    const [bucket = null, ...rest] = url.pathname.slice(1).split('/')
    const auth = parseAuth(req, url.searchParams)
    const record: S3Request = {
      method: req.method ?? 'GET',
      bucket: bucket === '' ? null : bucket,
      key: rest.join('/') === '' ? null : decodeURIComponent(rest.join('/')),
      versionId: url.searchParams.get('versionId'),
      accessKeyId: auth.accessKeyId,
      presigned: auth.presigned,
      refused: null
    }
    requests.push(record)
    const deny = (status: number, code: string, message: string, headers?: Record<string, string>) => {
      record.refused = code
      refuse(req, res, status, code, message, headers)
    }
    const issued = find(auth.accessKeyId)
    if (issued === undefined) return deny(403, 'InvalidAccessKeyId', 'The AWS access key Id you provided does not exist in our records.')
    if (auth.sessionToken !== issued.sessionToken) {
      return deny(403, 'InvalidToken', 'The provided token is malformed or otherwise invalid.')
    }
    if (issued.stale || issued.expiration.getTime() <= Date.now()) return deny(400, 'ExpiredToken', 'The provided token has expired.')
    const signature = await checkSignature(req, url, issued)
    if (signature === 'expired') return deny(403, 'AccessDenied', 'Request has expired')
    if (signature === 'mismatch') return deny(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided.')
    if (record.bucket !== null && !issued.buckets.has(record.bucket)) {
      return deny(403, 'AccessDenied', 'Access Denied')
    }
    // S3's version ids are URL-safe; anything else is "Invalid version id specified" (bodyless for HEAD).
    if (record.versionId !== null && !/^[A-Za-z0-9._-]{1,1024}$/.test(record.versionId)) {
      return deny(400, 'InvalidArgument', 'Invalid version id specified')
    }
    const region = record.bucket === null ? SAMPLE_DEFAULT_REGION : SAMPLE_BUCKET_REGIONS[record.bucket] ?? SAMPLE_DEFAULT_REGION
    if (auth.region !== null && auth.region !== region) {
      return deny(301, 'PermanentRedirect', 'The bucket you are attempting to access must be addressed using the specified endpoint.', { 'x-amz-bucket-region': region })
    }
    res.setHeader('x-amz-bucket-region', region)
    if (req.method === 'GET' && record.bucket !== null && record.key === null && url.searchParams.get('list-type') === '2') {
      listObjectsV2(store, record.bucket, url.searchParams, res).catch(() => { if (!res.headersSent) refuse(req, res, 500, 'InternalError', 'listing failed') })
      return
    }
    const refusal = record.key === null ? undefined : await conditional.check(req, res, record.bucket ?? '', record.key)
    if (refusal !== undefined) return deny(refusal.status, refusal.code, refusal.message)
    inner(req, res)
  }

  const server = createServer((req, res) => {
    gate(req, res).catch(() => { if (!res.headersSent) refuse(req, res, 500, 'InternalError', 'the sample S3 gate failed') })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => { server.off('error', reject); resolve() })
  })
  const { port } = server.address() as AddressInfo
  const url = `http://127.0.0.1:${port}`

  const key = seeder.issue('sample-s3-seeder', buckets)
  const clients = new Map<string, S3Client>()
  const clientFor = (bucket: string) => {
    const region = SAMPLE_BUCKET_REGIONS[bucket] ?? SAMPLE_DEFAULT_REGION
    let client = clients.get(region)
    if (client === undefined) {
      client = new S3Client({ region, endpoint: url, forcePathStyle: true, credentials: { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey, sessionToken: key.sessionToken } })
      clients.set(region, client)
    }
    return client
  }
  for (const bucket of buckets) await clientFor(bucket).send(new CreateBucketCommand({ Bucket: bucket }))
  for (const object of sampleObjects(options.tenants)) {
    await clientFor(object.bucket).send(new PutObjectCommand({
      Bucket: object.bucket, Key: object.key, Body: object.body, ContentType: object.contentType, ContentEncoding: object.contentEncoding
    }))
  }
  for (const client of clients.values()) client.destroy()
  requests.length = 0

  let closed: Promise<void> | undefined
  return {
    url,
    requests,
    close: () => {
      closed ??= new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }).then(() => rm(directory, { recursive: true, force: true }))
      return closed
    }
  }
}
