/**
 * The one place that reads and writes S3 bucket names and s3:// URIs: the tools' arguments, the
 * registry's physical keys and the texts users read all go through here.
 */

/** One S3 object, or one version of it. */
export interface S3Location {
  bucket: string
  key: string
  versionId?: string
}

// S3 bucket naming rules, loosely: enough to refuse paths, URLs and injection before any AWS or registry call.
const BUCKET = '[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]'
const BUCKET_NAME = new RegExp(`^${BUCKET}$`)
// A "?" starts the query, which may only be a non-empty versionId: "s3://b/a.csv?foo=bar" is refused,
// not read as the key "a.csv?foo=bar" (the rare key with "?" or "#" cannot be named this way).
const USER_URI = new RegExp(`^s3://(${BUCKET})/([^?#]+)(?:\\?versionId=([^&#]+))?$`)

export const isBucketName = (name: string): boolean => BUCKET_NAME.test(name)

function decoded (text: string): string | undefined {
  try {
    return decodeURIComponent(text)
  } catch {
    return undefined
  }
}

/**
 * An `s3://bucket/key[?versionId=...]` URI as users write it: the key is taken literally (the catalog
 * shows keys unencoded, spaces and all), only the versionId is URL-decoded. Undefined when malformed
 * (a versionId whose "%" starts no escape included).
 */
export function parseS3Uri (uri: string): S3Location | undefined {
  const [, bucket, key, version] = USER_URI.exec(uri.trim()) ?? []
  if (bucket === undefined || key === undefined) return undefined
  if (version === undefined) return { bucket, key }
  const versionId = decoded(version)
  return versionId === undefined ? undefined : { bucket, key, versionId }
}

/**
 * A package entry's physical key as the registry stores it: a URL, its key percent-encoded
 * (`s3://bucket/a%20b.csv?versionId=...`). Undefined for anything that is not an s3:// URL.
 */
export function parsePhysicalKey (physicalKey: string): S3Location | undefined {
  let url: URL
  try {
    url = new URL(physicalKey)
  } catch {
    return undefined
  }
  if (url.protocol !== 's3:' || !isBucketName(url.hostname) || url.pathname.length < 2) return undefined
  const key = decoded(url.pathname.slice(1))
  if (key === undefined) return undefined
  const versionId = url.searchParams.get('versionId')
  return { bucket: url.hostname, key, ...(versionId === null || versionId === '' ? {} : { versionId }) }
}

const versionSuffix = (versionId: string | undefined) => versionId === undefined ? '' : `?versionId=${encodeURIComponent(versionId)}`

/** The location as an s3:// URI for texts (key unencoded, as users read it). */
export function formatS3Uri ({ bucket, key, versionId }: S3Location): string {
  return `s3://${bucket}/${key}${versionSuffix(versionId)}`
}

/**
 * The location as a physical key for the registry, which URL-decodes it (pkgpush's
 * PhysicalKey.from_url): the key is encoded one path segment at a time, as the catalog does, so a
 * literal "%" or space survives. The inverse of parsePhysicalKey.
 */
export function formatPhysicalKey ({ bucket, key, versionId }: S3Location): string {
  return `s3://${bucket}/${key.split('/').map(encodeURIComponent).join('/')}${versionSuffix(versionId)}`
}
