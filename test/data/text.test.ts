import { gzipSync } from 'node:zlib'
import t from 'tap'
import { cacheTtlMs, MAX_CREDENTIALS_AGE_MS } from '../../src/data/credentials.js'
import { decodeUtf8, inflateSlice, isGzip, previewTable, tableDelimiter } from '../../src/data/text.js'

t.test('a slice cut inside multi-byte characters decodes without replacement characters', async (t) => {
  const bytes = Buffer.from('héllo wörld – ✓ 😀 done', 'utf8')
  for (let start = 0; start < bytes.length; start++) {
    for (const end of [start + 5, start + 9, bytes.length]) {
      const text = decodeUtf8(bytes.subarray(start, Math.min(end, bytes.length)), start > 0, end < bytes.length)
      t.ok(text !== undefined && !text.includes('\uFFFD'), `bytes ${start}-${end}`)
    }
  }
  t.equal(decodeUtf8(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]), false, false), undefined, 'NUL bytes are binary')
  t.equal(decodeUtf8(Buffer.from([0xff, 0xfe, 0x41]), false, false), undefined, 'invalid UTF-8 is binary')
  t.equal(decodeUtf8(Buffer.from('\uFEFFa,b', 'utf8'), false, false), 'a,b', 'a byte-order mark is dropped')
})

t.test('gzip: detected by name or headers plus magic bytes, decompressed from a cut stream', async (t) => {
  const text = Array.from({ length: 5000 }, (_, i) => `line ${i}`).join('\n')
  const compressed = gzipSync(text)
  t.ok(isGzip('x.csv.gz', null, null, compressed))
  t.ok(isGzip('x', null, 'gzip', compressed))
  t.notOk(isGzip('x.gz', null, null, Buffer.from('plain')), 'a .gz name without the magic bytes is not gzip')
  t.notOk(isGzip('x.csv', 'text/csv', null, compressed), 'nor gzip bytes that nothing declares')
  const never = new AbortController().signal
  const chunks = async function * (bytes: Buffer) { for (let i = 0; i < bytes.length; i += 1000) yield bytes.subarray(i, i + 1000) }
  const whole = { offset: 0, length: 100, ceiling: 1 << 20, maxInput: 1 << 20 }
  const prefix = await inflateSlice(chunks(compressed.subarray(0, Math.floor(compressed.length / 2))), whole, never)
  t.equal(prefix?.bytes.toString('utf8'), text.slice(0, 100), 'the first bytes of a stream cut in half')
  t.equal(prefix?.more, true)
  const middle = await inflateSlice(chunks(compressed), { ...whole, offset: 20_000, length: 50 }, never)
  t.equal(middle?.bytes.toString('utf8'), text.slice(20_000, 20_050), 'a slice from the middle, the bytes before it skipped')
  const tail = await inflateSlice(chunks(compressed), { ...whole, offset: text.length - 10 }, never)
  t.same([tail?.bytes.toString('utf8'), tail?.more, tail?.stoppedAtCeiling], [text.slice(-10), false, false], 'the end of the content')
  t.equal(await inflateSlice(chunks(Buffer.from('not gzip')), whole, never), undefined)
})

t.test('gzip: inflation stops at the ceiling and at the input cap, whatever the content holds', async (t) => {
  const never = new AbortController().signal
  const bomb = gzipSync(Buffer.alloc(50 * 1024 * 1024))
  const atCeiling = await inflateSlice([bomb], { offset: 1_000_000 - 10, length: 100, ceiling: 1_000_000, maxInput: bomb.length }, never)
  t.same([atCeiling?.bytes.length, atCeiling?.more, atCeiling?.stoppedAtCeiling], [10, true, true], 'the slice is cut at the ceiling, and says so')
  // Empty gzip members inflate to nothing: only the input cap ends them.
  const empties = Buffer.concat(Array.from({ length: 1000 }, () => gzipSync(Buffer.alloc(0))))
  const capped = await inflateSlice([empties], { offset: 0, length: 100, ceiling: 1_000_000, maxInput: 2000 }, never)
  t.same([capped?.bytes.length, capped?.stoppedAtCeiling], [0, true], 'the input cap stops a stream that never yields')
  const aborted = new AbortController()
  aborted.abort()
  await t.rejects(inflateSlice([bomb], { offset: 0, length: 100, ceiling: 1_000_000, maxInput: bomb.length }, aborted.signal), { name: 'AbortError' })
})

t.test('CSV and TSV previews honour quotes and the header width', async (t) => {
  t.equal(tableDelimiter('a/b.TSV', null), '\t')
  t.equal(tableDelimiter('a/b.csv.gz', null), ',')
  t.equal(tableDelimiter('data', 'text/csv; charset=utf-8'), ',')
  t.equal(tableDelimiter('notes.txt', 'text/plain'), undefined)
  t.same(previewTable('name,note\n"Smith, J","said ""hi"""\nx,y,extra\n', ','), {
    delimiter: ',', columns: ['name', 'note'], rows: [['Smith, J', 'said "hi"'], ['x', 'y']]
  })
})

t.test('credentials are served from the cache until shortly before they expire', async (t) => {
  const now = Date.UTC(2025, 0, 1)
  t.equal(cacheTtlMs(new Date(now + 3600_000), now), MAX_CREDENTIALS_AGE_MS, 'an hour: re-validated with the registry after the maximum age')
  t.equal(MAX_CREDENTIALS_AGE_MS, 5 * 60_000)
  t.equal(cacheTtlMs(new Date(now + 6 * 60_000), now), 3 * 60_000, 'short-lived: half their life')
  t.ok(cacheTtlMs(new Date(now - 1000), now) <= 0, 'expired: not cached')
})
