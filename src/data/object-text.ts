import type { DataAccess } from './data-access.js'
import { DataInputError } from './errors.js'
import { presignGet, readRange, streamObject, type ObjectRange, type PresignedLink } from './s3.js'
import type { S3Location } from './s3-location.js'
import { decodeUtf8, inflateSlice, isGzip, previewTable, tableDelimiter, type TablePreview } from './text.js'

export const DEFAULT_TEXT_BYTES = 64 * 1024
export const MAX_TEXT_BYTES = 1024 * 1024
/** Largest `offset` at all: S3's largest object (5 TiB). Plain objects are ranged reads at any offset. */
export const MAX_TEXT_OFFSET = 5 * 1024 ** 4
/**
 * Most decompressed bytes one call inflates of a compressed object, and most compressed bytes it
 * reads: bytes before `offset` are inflated to be skipped, so this bounds a call's work, while memory
 * stays at the slice (at most MAX_TEXT_BYTES) whatever the offset.
 */
export const MAX_INFLATED_BYTES = 64 * 1024 * 1024
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
    /** Offset for the next call, or null when this reached the end (or the decompression ceiling). */
    next_offset: number | null
    /** Set (to the ceiling, in bytes) when decompression stopped there before the end of the content. */
    inflation_ceiling: number | null
    content_type: string | null
    table: TablePreview | null
  }
  | { kind: 'binary', size: number, content_type: string | null, link: PresignedLink }

interface Slice {
  bytes: Buffer
  /** The object's content continues after these bytes. */
  more: boolean
  gzip: boolean
  stoppedAtCeiling: boolean
  size: number
  contentType: string | null
}

function textOf (slice: Slice, location: S3Location, offset: number): ObjectText | undefined {
  const text = decodeUtf8(slice.bytes, offset > 0, slice.more)
  if (text === undefined) return undefined
  const delimiter = offset === 0 ? tableDelimiter(location.key, slice.contentType) : undefined
  return {
    kind: 'text',
    text,
    offset,
    length: slice.bytes.length,
    size: slice.size,
    gzip: slice.gzip,
    next_offset: slice.more && !slice.stoppedAtCeiling ? offset + slice.bytes.length : null,
    inflation_ceiling: slice.stoppedAtCeiling ? MAX_INFLATED_BYTES : null,
    content_type: slice.contentType,
    table: delimiter === undefined ? null : previewTable(text, delimiter) ?? null
  }
}

const plainSlice = (range: ObjectRange, offset: number): Slice => ({
  bytes: range.bytes, more: offset + range.bytes.length < range.size, gzip: false, stoppedAtCeiling: false, size: range.size, contentType: range.contentType
})

const declaredGzip = (range: { contentType: string | null, contentEncoding: string | null }) =>
  /gzip/i.test(`${range.contentEncoding ?? ''} ${range.contentType ?? ''}`)

/**
 * The decompressed slice of a gzip object, streamed from its start (decompression needs it), or
 * undefined when the object is not gzip after all (no magic bytes, or not declared so).
 */
async function gzipSlice (access: DataAccess, location: S3Location, offset: number, maxBytes: number): Promise<Slice | undefined> {
  return streamObject(access, location, 0, MAX_INFLATED_BYTES, async (object) => {
    // The magic bytes first (two, which a first chunk normally holds), then the rest of the stream.
    const iterator = object.body[Symbol.asyncIterator]()
    let head = Buffer.alloc(0)
    for (let next = await iterator.next(); ; next = await iterator.next()) {
      if (next.done === true) break
      head = Buffer.concat([head, next.value])
      if (head.length >= 2) break
    }
    if (!isGzip(location.key, object.contentType, object.contentEncoding, head)) return undefined
    // Refused before inflating anything: reaching it would mean inflating the whole ceiling for nothing.
    if (offset >= MAX_INFLATED_BYTES) {
      throw new DataInputError(`offset ${offset} is beyond what the gateway decompresses of a compressed object: the first ${MAX_INFLATED_BYTES} bytes (${MAX_INFLATED_BYTES / 1024 / 1024} MiB) of its content. Use an offset below ${MAX_INFLATED_BYTES}, or download the object with a link (bucket_object_link, package_file_link).`)
    }
    const rest = { [Symbol.asyncIterator]: () => iterator }
    const body = (async function * () {
      yield head
      yield * rest
    })()
    const inflated = await inflateSlice(body, { offset, length: maxBytes, ceiling: MAX_INFLATED_BYTES, maxInput: MAX_INFLATED_BYTES }, object.signal)
    if (inflated === undefined) return undefined
    return { ...inflated, gzip: true, size: object.size, contentType: object.contentType }
  })
}

/**
 * Up to `maxBytes` of an object's text from `offset`, read with a ranged GET so a large object costs
 * no more than the slice. Gzip (by Content-Encoding, Content-Type or a .gz name, confirmed by its
 * magic bytes) is decompressed as it streams, and `offset` then counts decompressed bytes, up to
 * MAX_INFLATED_BYTES. Binary content (NUL bytes, invalid UTF-8) is not returned: a presigned link is,
 * for the user to download it.
 */
export async function readObjectText (access: DataAccess, location: S3Location, offset: number, maxBytes: number): Promise<ObjectText> {
  let range: ObjectRange | undefined
  if (!/\.gz$/i.test(location.key)) {
    range = await readRange(access, location, offset, maxBytes)
    // Not named gzip: decompressed only when S3 declares it so (and the magic bytes confirm).
    if (!declaredGzip(range)) return textOrLink(access, location, offset, plainSlice(range, offset))
  }
  const slice = await gzipSlice(access, location, offset, maxBytes) ??
    plainSlice(range ?? await readRange(access, location, offset, maxBytes), offset)
  return textOrLink(access, location, offset, slice)
}

async function textOrLink (access: DataAccess, location: S3Location, offset: number, slice: Slice): Promise<ObjectText> {
  const text = textOf(slice, location, offset)
  if (text !== undefined) return text
  const link = await presignGet(access, location, BINARY_LINK_SECONDS)
  return { kind: 'binary', size: link.info.size, content_type: link.info.content_type, link: { url: link.url, expires_at: link.expires_at, expires_in: link.expires_in } }
}
