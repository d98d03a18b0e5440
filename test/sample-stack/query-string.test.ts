import t from 'tap'
import { matches, parseQuery } from '../../packages/sample-stack/src/query-string.js'

t.test('parseQuery', async (t) => {
  t.same(parseQuery(null), { kind: 'all' })
  t.same(parseQuery('  *  '), { kind: 'all' })
  t.match(parseQuery('Foo  bar\\ baz'), { kind: 'and', items: [{ text: 'foo' }, { text: 'bar baz' }] })
  t.match(parseQuery('a\\&\\&b c&d'), { kind: 'and', items: [{ text: 'a&&b' }, { text: 'c&d' }] }, 'a single & is an ordinary character')
  t.match(parseQuery('size:>=10 OR -x'), { kind: 'or', items: [{ kind: 'range', field: 'size', op: '>=', value: '10' }, { kind: 'not' }] })
  for (const bad of ['a/b', '[a]', '{a}', 'a^2', '~a', 'a=b', 'x:', '"a', '(a', 'a)', 'a\\', 'a && ', 'x:y:z', 'a<b']) {
    t.throws(() => parseQuery(bad), { message: /^Failed to parse query/ }, bad)
  }
})

t.test('matching is by token, as an analyzed field: wildcards reach longer words, phrases keep order', async (t) => {
  const doc = { fields: { name: ['examples/wellplates'], comment: ['HURDAT2: best track (NOAA)'], size: [5000] }, defaults: ['name', 'comment'] }
  const hit = (query: string) => matches(parseQuery(query), doc)
  t.notOk(hit('wellplate'))
  t.ok(hit('wellplate*'))
  t.ok(hit('"best track"'))
  t.notOk(hit('"track best"'))
  t.ok(hit('examples\\/wellplates'), 'an escaped "/" is part of the text')
  t.ok(hit('size:>4096 AND noaa'))
  t.notOk(hit('size:<4096'))
  t.notOk(hit('hurdat2 NOT noaa'))
})
