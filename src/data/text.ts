import { pipeline } from 'node:stream/promises'
import { constants, createGunzip } from 'node:zlib'

const GZIP_MAGIC = [0x1f, 0x8b]

/** Gzip by what S3 says (Content-Encoding, Content-Type) or by the name, confirmed by the magic bytes. */
export function isGzip (key: string, contentType: string | null, contentEncoding: string | null, head: Buffer): boolean {
  const declared = /gzip/i.test(contentEncoding ?? '') || /gzip/i.test(contentType ?? '') || /\.gz$/i.test(key)
  return declared && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1]
}

export interface InflatedSlice {
  /** Decompressed bytes [offset, offset + length), fewer at the end of the content or at the ceiling. */
  bytes: Buffer
  /** Decompressed content continues after `bytes` (or may: the ceiling or input cap stopped inflation). */
  more: boolean
  /** Inflation stopped at the ceiling (or the compressed input cap) with the slice not yet complete. */
  stoppedAtCeiling: boolean
}

/**
 * Bytes [offset, offset + length) of a gzip stream's decompressed content, inflated as the compressed
 * bytes stream in. Bytes before `offset` are counted and dropped, never kept, and inflation stops one
 * chunk past the slice or at `ceiling` decompressed bytes, whichever comes first, so that a small
 * object that inflates to gigabytes (a gzip bomb) costs at most the slice plus zlib's buffers. At most
 * `maxInput` compressed bytes are read (empty gzip members inflate to nothing, forever). Aborting
 * `signal` stops it. Undefined when the data is not gzip after all. A stream cut short (the input cap,
 * a truncated file) yields what it had.
 */
export async function inflateSlice (
  compressed: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  slice: { offset: number, length: number, ceiling: number, maxInput: number },
  signal: AbortSignal
): Promise<InflatedSlice | undefined> {
  const end = Math.min(slice.offset + slice.length, slice.ceiling)
  const kept: Buffer[] = []
  let inflated = 0
  let inputCapped = false
  async function * capped (source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>) {
    let read = 0
    for await (const chunk of source) {
      const room = slice.maxInput - read
      read += chunk.length
      if (chunk.length >= room) {
        inputCapped = true
        yield chunk.subarray(0, room)
        return
      }
      yield chunk
    }
  }
  async function collect (source: AsyncIterable<Buffer>) {
    for await (const chunk of source) {
      const at = inflated
      inflated += chunk.length
      const from = Math.max(slice.offset - at, 0)
      const to = Math.min(end - at, chunk.length)
      // A copy: a view would keep zlib's whole output chunk alive.
      if (to > from) kept.push(Buffer.from(chunk.subarray(from, to)))
      // One byte past the slice says whether more follows; nothing past the ceiling is needed.
      if (inflated > end || inflated >= slice.ceiling) return
    }
  }
  try {
    // Sync flush: a stream cut short yields what it has instead of "unexpected end of file".
    await pipeline(capped(compressed), createGunzip({ finishFlush: constants.Z_SYNC_FLUSH }), collect, { signal })
  } catch (err) {
    if (signal.aborted) throw err
    // Not gzip at all, or corrupt from the start; corruption later keeps what was inflated before it.
    if (inflated === 0) return undefined
  }
  // Stopped early: at the ceiling (which cut the slice), or at the input cap before the slice was full.
  const stoppedAtCeiling = (end === slice.ceiling && inflated >= slice.ceiling) || (inputCapped && inflated <= end)
  return { bytes: Buffer.concat(kept), more: inflated > end || stoppedAtCeiling, stoppedAtCeiling }
}

/** Bytes to drop at each end so a slice cut anywhere in UTF-8 decodes cleanly (partial characters). */
function utf8Boundaries (bytes: Buffer, cutAtStart: boolean, cutAtEnd: boolean): [number, number] {
  let start = 0
  // Continuation bytes (10xxxxxx) at the start belong to a character that began before the offset.
  if (cutAtStart) {
    while (start < Math.min(3, bytes.length) && (bytes[start]! & 0xc0) === 0x80) start++
  }
  let end = bytes.length
  if (cutAtEnd) {
    // Walk back over at most 3 bytes to the last lead byte and drop it if its character is incomplete.
    for (let i = end - 1; i >= Math.max(start, end - 4); i--) {
      const byte = bytes[i]!
      if ((byte & 0xc0) === 0x80) continue
      const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1
      if (end - i < needed) end = i
      break
    }
  }
  return [start, end]
}

const decoder = new TextDecoder('utf-8', { fatal: true })

/**
 * The bytes as UTF-8 text, or undefined when they are binary (NUL bytes or invalid UTF-8). A slice
 * from the middle of an object may begin or end inside a character; those partial bytes are dropped.
 */
export function decodeUtf8 (bytes: Buffer, cutAtStart: boolean, cutAtEnd: boolean): string | undefined {
  const [start, end] = utf8Boundaries(bytes, cutAtStart, cutAtEnd)
  const slice = bytes.subarray(start, end)
  if (slice.includes(0)) return undefined
  try {
    return decoder.decode(slice).replace(/^\uFEFF/, '')
  } catch {
    return undefined
  }
}

export interface TablePreview {
  delimiter: ',' | '\t'
  columns: string[]
  /** The first rows after the header, each cut to the header's width. */
  rows: string[][]
}

/** One CSV/TSV line split into fields, honouring double quotes ("a, b" and "" inside quotes). */
function splitLine (line: string, delimiter: string): string[] {
  const fields: string[] = []
  let field = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const char = line.charAt(i)
    if (quoted) {
      if (char === '"' && line.charAt(i + 1) === '"') {
        field += '"'
        i++
      } else if (char === '"') {
        quoted = false
      } else {
        field += char
      }
    } else if (char === '"' && field === '') {
      quoted = true
    } else if (char === delimiter) {
      fields.push(field)
      field = ''
    } else {
      field += char
    }
  }
  fields.push(field)
  return fields
}

/** Whether a key or content type names a delimited table, and which delimiter. */
export function tableDelimiter (key: string, contentType: string | null): ',' | '\t' | undefined {
  const name = key.toLowerCase().replace(/\.gz$/, '')
  if (name.endsWith('.tsv') || /tab-separated-values/i.test(contentType ?? '')) return '\t'
  if (name.endsWith('.csv') || /text\/csv/i.test(contentType ?? '')) return ','
  return undefined
}

/** A short column-aware view of a table's first lines (header first); only from the object's start. */
export function previewTable (text: string, delimiter: ',' | '\t', maxRows = 10): TablePreview | undefined {
  const lines = text.split(/\r?\n/).filter((line) => line.trim() !== '')
  const header = lines[0]
  if (header === undefined) return undefined
  const columns = splitLine(header, delimiter).map((c) => c.trim())
  // The last line of a truncated read may be cut short; it is left out unless the read ended the file.
  const rows = lines.slice(1, 1 + maxRows).map((line) => splitLine(line, delimiter).slice(0, columns.length))
  return { delimiter, columns, rows }
}

/** Rows as aligned text lines (each cell cut to `width` characters), for the tool's text answer. */
export function formatTable (preview: TablePreview, width = 24): string[] {
  const cut = (cell: string) => cell.length > width ? `${cell.slice(0, width - 1)}…` : cell
  return [preview.columns, ...preview.rows].map((row) => row.map(cut).join(' | '))
}
