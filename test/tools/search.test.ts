import t from 'tap'
import { dataOf, textOf, toolHarness } from './harness.js'

type Hits = { total: number, hits: Array<{ package_name: string, bucket: string, hash: string }> }

// The sample registry fails any query with an unescaped reserved character, as Elasticsearch does
// for "/" (a regex) and ":" (a field), so each of these finding its package proves the escaping.
const literalSearches: Array<[query: string, expected: string]> = [
  ['test/integration_lifecycle_1770736485', 'test/integration_lifecycle_1770736485'],
  ['HURDAT2:', 'examples/hurdat'],
  ['"best track"', 'examples/hurdat'],
  ['[1851-2023]', 'examples/hurdat'],
  ['(NOAA)', 'examples/hurdat'],
  ['HURDAT2 "best track" [Atlantic]', 'examples/hurdat']
]

t.test('names and texts with reserved characters search literally', async (t) => {
  const h = await toolHarness(t)
  for (const [query, expected] of literalSearches) {
    const result = await h.call('search_packages', { query })
    t.notOk(result.isError, `${query}: ${textOf(result)}`)
    t.same(dataOf<Hits>(result).hits.map((hit) => hit.package_name), [expected], query)
  }
  t.equal(h.registry.requests[0]?.variables?.searchString, 'test\\/integration_lifecycle_1770736485')
})

t.test('"*" and "" match everything; latest_only defaults to true and can be turned off', async (t) => {
  const h = await toolHarness(t)
  const latest = await h.call('search_packages', { query: '*' })
  t.match(dataOf(latest), { total: 6 })
  t.match(h.registry.requests[0]?.variables, { searchString: null, latestOnly: true, buckets: null, size: 10 })
  t.match(textOf(latest), /^6 package match\(es\) for everything in all buckets/)

  const every = await h.call('search_packages', { query: '', latest_only: false, buckets: ['quilt-example'], limit: 2 })
  const data = dataOf<Hits>(every)
  t.equal(data.total, 5, 'three revisions of wellplates, one each of the others')
  t.equal(data.hits.length, 2, 'limit')
  t.match(textOf(every), /- … and 3 more/)
})

t.test('no match is an ordinary result that says so', async (t) => {
  const h = await toolHarness(t)
  const none = await h.call('search_packages', { query: 'no such words here', buckets: ['cellpainting-data'] })
  t.notOk(none.isError)
  t.match(dataOf(none), { total: 0, hits: [] })
  t.equal(textOf(none), 'No packages matched "no such words here" in s3://cellpainting-data (an empty result, not an error).')
})

t.test('search_objects escapes too', async (t) => {
  const h = await toolHarness(t)
  const result = await h.call('search_objects', { query: 'raw-uploads/instrument-log.txt' })
  t.notOk(result.isError, textOf(result))
  t.match(dataOf(result), { total: 1, hits: [{ bucket: 'quilt-example', key: 'raw-uploads/instrument-log.txt' }] })
})
