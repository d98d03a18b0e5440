import { createHash } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import type { TenantData } from './data.js'
import { samplePng } from './sample-image.js'

/** Text files up to this size are stored at their catalogued size; larger ones as a shorter stand-in. */
const FULL_TEXT_BYTES = 256 * 1024
const STAND_IN_BYTES = 16 * 1024

export interface SampleObject {
  bucket: string
  key: string
  body: Buffer
  contentType: string
  contentEncoding?: string
}

/** Deterministic pseudo-random bytes (binary stand-ins with NULs, as real images have). */
function noise (seed: string, length: number): Buffer {
  const chunks: Buffer[] = []
  let block = createHash('sha256').update(seed).digest()
  for (let size = 0; size < length; size += block.length) {
    chunks.push(block)
    block = createHash('sha256').update(block).digest()
  }
  const bytes = Buffer.concat(chunks).subarray(0, length)
  for (let i = 0; i < bytes.length; i += 7) bytes[i] = 0
  return bytes
}

/** Text repeated line by line to `size` bytes (the last line cut), so a file is as large as catalogued. */
function fillText (lines: (n: number) => string, header: string, size: number): string {
  let text = header
  for (let n = 1; text.length < size; n++) text += lines(n)
  return text.slice(0, size)
}

function summaryCsv (n: number): string {
  const plate = n % 2 === 0 ? 'plate2' : 'plate1'
  const well = `${String.fromCharCode(65 + (n % 8))}${String(1 + (n % 12)).padStart(2, '0')}`
  return `${plate},${well},${200 + ((n * 37) % 300)},${(0.5 + ((n * 13) % 50) / 100).toFixed(3)}\n`
}

function textContent (key: string, size: number): string {
  const target = Math.min(size, FULL_TEXT_BYTES)
  const name = key.split('/').pop() ?? key
  if (/\.csv$/i.test(name) && name.includes('summary')) return fillText(summaryCsv, 'plate,well,cell_count,mean_intensity\n', target)
  if (/\.csv$/i.test(name)) {
    return fillText((n) => `AL${String(n).padStart(6, '0')},UNNAMED,${1851 + (n % 170)},${(25 + (n % 20)).toFixed(1)}N,${(60 + (n % 40)).toFixed(1)}W,${30 + (n % 120)}\n`, 'id,name,year,lat,lon,max_wind_kt\n', target)
  }
  if (/\.json$/i.test(name)) return JSON.stringify({ file: key, schema: 'plate-v1', rows: 384, note: 'x'.repeat(Math.max(0, target - 80)) }).slice(0, target)
  if (/\.ipynb$/i.test(name)) return fillText((n) => `{"cell_type": "code", "source": ["print(${n})"]},\n`, '{"cells": [\n', target)
  if (/\.html?$/i.test(name)) return fillText((n) => `<p>QC line ${n}: passed</p>\n`, '<!doctype html>\n<title>QC report</title>\n', target)
  return fillText((n) => `Line ${n} of ${key}: sample data served by the Quilt MCP gateway's sample registry.\n`, `# ${key}\n\n`, target)
}

const TEXT = /\.(md|txt|csv|tsv|json|ipynb|html?)$/i

/**
 * The bytes stored for a catalogued object: text of the catalogued size (up to 256 KiB), gzip of text
 * for `.gz` (FASTQ, VCF, FASTA) except tarballs, a real picture for `.png`, and binary stand-ins with the right magic bytes for
 * images, Parquet and archives. Objects larger than the limits are shorter than catalogued.
 */
export function sampleBody (key: string, size: number): Omit<SampleObject, 'bucket' | 'key'> {
  if (TEXT.test(key)) {
    const type = /\.csv$/i.test(key) ? 'text/csv' : /\.tsv$/i.test(key) ? 'text/tab-separated-values' : /\.json$/i.test(key) ? 'application/json' : /\.html?$/i.test(key) ? 'text/html' : 'text/plain'
    return { body: Buffer.from(textContent(key, size)), contentType: `${type}; charset=utf-8` }
  }
  if (/\.png$/i.test(key)) return { body: samplePng(), contentType: 'image/png' }
  if (/\.tar\.gz$/i.test(key)) return { body: gzipSync(noise(key, STAND_IN_BYTES)), contentType: 'application/gzip' }
  if (/\.gz$/i.test(key)) {
    const text = fillText((n) => /fastq/i.test(key) ? `@read${n}\nACGTTGCAACGTTGCA\n+\nIIIIIIIIIIIIIIII\n` : `chr1\t${10_000 + n * 17}\t.\tA\tG\t50\tPASS\t.\n`, `##source=${key}\n`, STAND_IN_BYTES)
    return { body: gzipSync(text), contentType: 'application/gzip' }
  }
  const magic = /\.tiff?$/i.test(key) ? Buffer.from('II*\0') : /\.parquet$/i.test(key) ? Buffer.from('PAR1') : Buffer.alloc(0)
  return { body: Buffer.concat([magic, noise(key, Math.min(size, STAND_IN_BYTES))]), contentType: 'application/octet-stream' }
}

/** Every live object of every tenant (the latest version of each key), with its bytes. */
export function sampleObjects (tenants: Record<string, TenantData>): SampleObject[] {
  const objects = new Map<string, SampleObject>()
  for (const tenant of Object.values(tenants)) {
    for (const object of tenant.objects) {
      if (object.deleted) continue
      // Listed oldest first within a package: the last one written is the latest version.
      objects.set(`${object.bucket}/${object.key}`, { bucket: object.bucket, key: object.key, ...sampleBody(object.key, object.size) })
    }
  }
  return [...objects.values()]
}

/** Every bucket of every tenant. */
export function sampleBuckets (tenants: Record<string, TenantData>): string[] {
  return [...new Set(Object.values(tenants).flatMap((tenant) => tenant.buckets.map((b) => b.name)))]
}
