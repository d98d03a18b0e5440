import { gzipSync } from 'node:zlib'
import t from 'tap'
import { cacheTtlMs, MAX_CREDENTIALS_AGE_MS } from '../../src/data/credentials.js'
import { decodeUtf8, gunzipPrefix, isGzip, previewTable, tableDelimiter } from '../../src/data/text.js'

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
  const prefix = await gunzipPrefix(compressed.subarray(0, Math.floor(compressed.length / 2)), 100)
  t.equal(prefix?.toString('utf8'), text.slice(0, 100), 'the first bytes of a stream cut in half')
  t.equal(await gunzipPrefix(Buffer.from('not gzip'), 100), undefined)
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
