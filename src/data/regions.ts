import type { S3Client } from '@aws-sdk/client-s3'
import type { AwsCredentials } from './credentials.js'
import type { DataAccess, FailureMapper } from './data-access.js'
import { DataError, DataUnavailableError } from './errors.js'

/** S3 said the bucket lives in another region: the call is made again there. */
class RegionRedirect extends DataError {
  override readonly kind = 'region_redirect'
  readonly region: string
  constructor (region: string) {
    super(`The bucket lives in ${region}.`)
    this.region = region
  }
}

const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/

/**
 * The region S3 names when a request was signed for the wrong one: a 301 PermanentRedirect (or a 400
 * AuthorizationHeaderMalformed, or a 307 while a new bucket propagates) carries `x-amz-bucket-region`
 * (HEAD answers have no body, so the header is the only place it can be); GET errors also put it in
 * the body's <Region>, which the SDK copies onto the exception.
 */
function redirectRegion (err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined
  const { $response: response, $metadata: metadata, Region: bodyRegion } = err as { $response?: { headers?: Record<string, string> }, $metadata?: { httpStatusCode?: number }, Region?: unknown }
  const status = metadata?.httpStatusCode
  if (status !== 301 && status !== 307 && status !== 400) return undefined
  const region = response?.headers?.['x-amz-bucket-region'] ?? (typeof bodyRegion === 'string' ? bodyRegion : undefined)
  return region !== undefined && REGION.test(region) ? region : undefined
}

/** The region a bucket's requests and links are signed for: the learnt one, else the configured default. */
function regionOf (access: DataAccess, bucket: string): string {
  return access.pool.bucketRegions.get(bucket) ?? access.options.region
}

/**
 * Runs an S3 call for one bucket, signed for that bucket's region. A bucket's region is learnt from
 * S3's own redirect (the first call to a bucket outside the default region costs one extra round
 * trip), remembered per bucket (the region is a fact of the bucket, the same for every caller, and
 * bounded in DataClients.bucketRegions), and used by every later read, upload and presigned link.
 * A bucket that moved (deleted and re-created elsewhere) redirects again and is learnt again.
 */
export async function inBucketRegion<T> (access: DataAccess, bucket: string, mapFailure: FailureMapper, call: (client: S3Client, credentials: AwsCredentials) => Promise<T>): Promise<T> {
  const attempt = (region: string) => access.s3(region, (err) => {
    const learnt = redirectRegion(err)
    return learnt !== undefined && learnt !== region ? new RegionRedirect(learnt) : mapFailure(err)
  }, call)
  try {
    return await attempt(regionOf(access, bucket))
  } catch (err) {
    if (!(err instanceof RegionRedirect)) throw err
    access.pool.bucketRegions.set(bucket, err.region)
    // Once only: a second redirect (S3 disagreeing with itself) is a failure, not a loop.
    return await access.s3(err.region, (again) => redirectRegion(again) !== undefined
      ? new DataUnavailableError(`S3 keeps redirecting requests for s3://${bucket} between regions. Try again later.`, { cause: again })
      : mapFailure(again), call)
  }
}
