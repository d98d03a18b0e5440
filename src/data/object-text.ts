import type { DataAccess } from './data-access.js'
import { presignGet, readRange, type ObjectRange, type PresignedLink } from './s3.js'
import type { S3Location } from './s3-location.js'
import { decodeUtf8, gunzipPrefix, isGzip, previewTable, tableDelimiter, type TablePreview } from './text.js'

export const DEFAULT_TEXT_BYTES = 64 * 1024
export const MAX_TEXT_BYTES = 1024 * 1024
/** A gzip object is read from its start; at most this much compressed data per call. */
const GZIP_WINDOW_BYTES = 4 * 1024 * 1024
/** Lifetime of the link offered instead of binary content. */
const BINARY_LINK_SECONDS = 900

export type ObjectText =
  | {
    kind: 'text'
    text: string
    /** Where this text starts in the (decompressed) object. */
    offset: number
    /** Bytes of (decompressed) content returned. */
    length: number
    /** Stored size of the object (compressed, for gzip). */
    size: number
    gzip: boolean
    /** Offset for the next call, or null when this reached the end. */
    next_offset: number | null
    content_type: string | null
    table: TablePreview | null
  }
  | { kind: 'binary', size: number, content_type: string | null, link: PresignedLink }

async function textOf (range: ObjectRange, location: S3Location, offset: number, maxBytes: number, gzip: boolean): Promise<ObjectText | undefined> {
  let content = range.bytes
  let end = offset + range.bytes.length >= range.size
  if (gzip) {
    const inflated = await gunzipPrefix(range.bytes, offset + maxBytes + 1)
    if (inflated === undefined) return undefined
    content = inflated.subarray(offset, offset + maxBytes)
    end = inflated.length <= offset + maxBytes && range.bytes.length >= range.size
  }
  const text = decodeUtf8(content, offset > 0, !end)
  if (text === undefined) return undefined
  const delimiter = offset === 0 ? tableDelimiter(location.key, range.contentType) : undefined
  return {
    kind: 'text',
    text,
    offset,
    length: content.length,
    size: range.size,
    gzip,
    next_offset: end ? null : offset + content.length,
    content_type: range.contentType,
    table: delimiter === undefined ? null : previewTable(text, delimiter) ?? null
  }
}

/**
 * Up to `maxBytes` of an object's text from `offset`, read with a ranged GET so a large object costs
 * no more than the slice. Gzip (by Content-Encoding, Content-Type or a .gz name, confirmed by its
 * magic bytes) is decompressed and `offset` then counts decompressed bytes. Binary content (NUL
 * bytes, invalid UTF-8) is not returned: a presigned link is, for the user to download it.
 */
export async function readObjectText (access: DataAccess, location: S3Location, offset: number, maxBytes: number): Promise<ObjectText> {
  const namedGzip = /\.gz$/i.test(location.key)
  let range = namedGzip ? await readRange(access, location, 0, GZIP_WINDOW_BYTES) : await readRange(access, location, offset, maxBytes)
  let startsAtZero = namedGzip || offset === 0
  let gzip = startsAtZero && isGzip(location.key, range.contentType, range.contentEncoding, range.bytes)
  if (!gzip && !startsAtZero && /gzip/i.test(`${range.contentEncoding ?? ''} ${range.contentType ?? ''}`)) {
    // Declared gzip, read from the middle: decompression needs the start.
    range = await readRange(access, location, 0, GZIP_WINDOW_BYTES)
    startsAtZero = true
    gzip = isGzip(location.key, range.contentType, range.contentEncoding, range.bytes)
  }
  if (namedGzip && !gzip) range = await readRange(access, location, offset, maxBytes)
  const text = await textOf(range, location, offset, maxBytes, gzip)
  if (text !== undefined) return text
  const link = await presignGet(access, location, BINARY_LINK_SECONDS)
  return { kind: 'binary', size: link.info.size, content_type: link.info.content_type, link: { url: link.url, expires_at: link.expires_at, expires_in: link.expires_in } }
}
