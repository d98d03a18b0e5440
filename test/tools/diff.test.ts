import t from 'tap'
import { diffContents } from '../../src/tools/diff.js'

const entry = (physicalKey: string, size: number, hash?: string, meta?: Record<string, unknown>) =>
  ({ physicalKey, size, ...(hash === undefined ? {} : { hash: { type: 'SHA256', value: hash } }), ...(meta === undefined ? {} : { meta }) })

t.test('content is compared by hash when both sides have one, else by object and size', async (t) => {
  type Entry = ReturnType<typeof entry>
  // logical key: [side A, side B]; undefined = absent on that side
  const pairs: Record<string, [Entry | undefined, Entry | undefined]> = {
    'moved.csv': [entry('s3://b/old/moved.csv', 5, 'h1'), entry('s3://b/new/moved.csv', 5, 'h1')],
    'rehashed.csv': [entry('s3://b/r.csv', 5, 'h2'), entry('s3://b/r.csv', 5, 'h2-changed')],
    'nohash.csv': [entry('s3://b/n.csv?versionId=1', 5), entry('s3://b/n.csv?versionId=2', 5)],
    'samenohash.csv': [entry('s3://b/s.csv', 5), entry('s3://b/s.csv', 5)],
    'meta.csv': [entry('s3://b/m.csv', 5, 'h3', { user_meta: { a: 1 } }), entry('s3://b/m.csv', 5, 'h3', { user_meta: { a: 2 } })],
    'gone.csv': [entry('s3://b/g.csv', 9), undefined],
    'new.csv': [undefined, entry('s3://b/new.csv', 7)]
  }
  const side = (i: 0 | 1) => Object.fromEntries(Object.entries(pairs).flatMap(([key, pair]) => pair[i] === undefined ? [] : [[key, pair[i]]]))
  const [a, b] = [side(0), side(1)]
  const diff = diffContents(a, b)
  t.same(diff.added, [{ logical_key: 'new.csv', size: 7 }])
  t.same(diff.removed, [{ logical_key: 'gone.csv', size: 9 }])
  t.same(diff.modified.map((m) => m.logical_key), ['meta.csv', 'nohash.csv', 'rehashed.csv'])
  t.equal(diff.unchanged, 2, 'a move with the same hash, and an identical entry')
})

t.test('keys that look like Object.prototype members are ordinary keys', async (t) => {
  const diff = diffContents({ constructor: entry('s3://b/c', 1) }, { toString: entry('s3://b/t', 1) })
  t.same(diff.added.map((e) => e.logical_key), ['toString'])
  t.same(diff.removed.map((e) => e.logical_key), ['constructor'])
})
