import { constants, createGunzip } from 'node:zlib'

const GZIP_MAGIC = [0x1f, 0x8b]

/** Gzip by what S3 says (Content-Encoding, Content-Type) or by the name, confirmed by the magic bytes. */
export function isGzip (key: string, contentType: string | null, contentEncoding: string | null, head: Buffer): boolean {
  const declared = /gzip/i.test(contentEncoding ?? '') || /gzip/i.test(contentType ?? '') || /\.gz$/i.test(key)
  return declared && head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1]
}

/**
 * Up to `maxOutput` bytes of a gzip stream, from its first `compressed` bytes (which may stop mid-stream:
 * a ranged read of a large file). Undefined when the data is not gzip after all.
 */
export async function gunzipPrefix (compressed: Buffer, maxOutput: number): Promise<Buffer | undefined> {
  // Sync flush: a stream cut short yields what it has instead of "unexpected end of file".
  const gunzip = createGunzip({ finishFlush: constants.Z_SYNC_FLUSH })
  const chunks: Buffer[] = []
  let size = 0
  try {
    gunzip.end(compressed)
    for await (const chunk of gunzip as AsyncIterable<Buffer>) {
      chunks.push(chunk)
      size += chunk.length
      if (size >= maxOutput) break
    }
  } catch {
    if (size === 0) return undefined
  } finally {
    gunzip.destroy()
  }
  return Buffer.concat(chunks).subarray(0, maxOutput)
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
