/** One S3 object, or one version of it. */
export interface S3Location {
  bucket: string
  key: string
  versionId?: string
}

// S3 bucket naming rules, loosely: enough to refuse paths, URLs and injection before any AWS call.
const BUCKET = '[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]'
const USER_URI = new RegExp(`^s3://(${BUCKET})/(.+?)(?:\\?versionId=([^&#]+))?$`)

/**
 * An `s3://bucket/key[?versionId=...]` URI as users write it: the key is taken literally (the catalog
 * shows keys unencoded, spaces and all), only the versionId is URL-decoded. Undefined when malformed
 * (a versionId whose "%" starts no escape included).
 */
export function parseS3Uri (uri: string): S3Location | undefined {
  const match = USER_URI.exec(uri.trim())
  if (match === null) return undefined
  const [, bucket, key, version] = match
  if (bucket === undefined || key === undefined) return undefined
  if (version === undefined) return { bucket, key }
  try {
    return { bucket, key, versionId: decodeURIComponent(version) }
  } catch {
    // A "%" that starts no escape (URIError): malformed, like any other bad URI.
    return undefined
  }
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
  if (url.protocol !== 's3:' || !new RegExp(`^${BUCKET}$`).test(url.hostname) || url.pathname.length < 2) return undefined
  let key: string
  try {
    key = decodeURIComponent(url.pathname.slice(1))
  } catch {
    return undefined
  }
  const versionId = url.searchParams.get('versionId')
  return { bucket: url.hostname, key, ...(versionId === null || versionId === '' ? {} : { versionId }) }
}

/** The location as an s3:// URI for texts (key unencoded, as users read it). */
export function formatS3Uri ({ bucket, key, versionId }: S3Location): string {
  return `s3://${bucket}/${key}${versionId === undefined ? '' : `?versionId=${encodeURIComponent(versionId)}`}`
}
