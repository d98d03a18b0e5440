import { dataOf, forEachEra, textOf, toolHarness } from './harness.js'

type Hits = { total: number | null, secure_search: boolean, next_cursor: string | null, hits: Array<{ package_name: string, bucket: string, hash: string, total_entries: number | null }> }
type ObjectHits = { total: number | null, next_cursor: string | null, hits: Array<{ key: string, size: number }> }

const INTEGRATION = 'test/integration_lifecycle_1770736485'

// Issue 9 changed the contract: queries are read as the catalog's search box reads them (plain words get
// a trailing wildcard, syntax is used as written), and text the registry cannot parse is retried escaped.
// The sample registry matches by token and fails unescaped "/" and "[", as Elasticsearch does.
const searches: Array<[query: string, expected: string, retried: boolean]> = [
  [INTEGRATION, INTEGRATION, true],
  ['HURDAT2:', 'examples/hurdat', true],
  ['"best track"', 'examples/hurdat', false],
  ['[1851-2023]', 'examples/hurdat', true],
  ['(NOAA)', 'examples/hurdat', false],
  ['HURDAT2 "best track" [Atlantic]', 'examples/hurdat', true],
  ['wellplate', 'examples/wellplates', false]
]

forEachEra((t, era) => {
  const latestOnlyKnown = era >= '2025-02-13'

  t.test('plain words, deliberate syntax, and text the registry cannot parse', async (t) => {
    const h = await toolHarness(t, { era })
    for (const [query, expected, retried] of searches) {
      h.registry.requests.length = 0
      const result = await h.call('search_packages', { query })
      t.notOk(result.isError, `${query}: ${textOf(result)}`)
      // Before latestOnly (2024-10-11) every revision is a hit: one package, possibly several revisions.
      t.same([...new Set(dataOf<Hits>(result).hits.map((hit) => hit.package_name))], [expected], query)
      t.equal(h.registry.requests.length, retried ? 2 : 1, `${query}: ${retried ? 'retried once, escaped' : 'one call'}`)
      t.equal(/searched literally/.test(textOf(result)), retried, `${query}: the text says whether it was retried`)
    }
    h.registry.requests.length = 0
    await h.call('search_packages', { query: INTEGRATION })
    t.same(h.registry.requests.map((r) => r.variables?.searchString), [`${INTEGRATION}*`, 'test\\/integration_lifecycle_1770736485*'], 'the catalog\'s reading first, then escaped')
  })

  t.test('plain words find longer words they start, as in the catalog', async (t) => {
    const h = await toolHarness(t, { era })
    const result = await h.call('search_packages', { query: 'wellplate' })
    t.match(dataOf(result), { reading: 'words', searched_as: 'wellplate*', hits: [{ package_name: 'examples/wellplates' }] })
  })

  t.test('deliberate query syntax is sent as written', async (t) => {
    const h = await toolHarness(t, { era })
    const result = await h.call('search_objects', { query: 'ext:tif AND size:>5250000', buckets: ['quilt-example'] })
    t.notOk(result.isError, textOf(result))
    t.same(dataOf<ObjectHits>(result).hits.map((hit) => hit.key), ['examples/wellplates/data/raw/plate1/img_002.tif'])
    t.equal(h.registry.requests[0]?.variables?.searchString, 'ext:tif AND size:>5250000')
    const escaped = await h.call('search_objects', { query: 'raw-uploads/instrument-log.txt' })
    t.match(dataOf(escaped), { reading: 'literal', total: 1, hits: [{ key: 'raw-uploads/instrument-log.txt' }] })
    t.match(textOf(escaped), /Note: The registry could not read "raw-uploads\/instrument-log.txt" as search syntax/)
  })

  t.test('"*" and "" match everything; latest_only defaults to true and can be turned off', async (t) => {
    const h = await toolHarness(t, { era })
    const latest = await h.call('search_packages', { query: '*' })
    t.match(dataOf(latest), { total: latestOnlyKnown ? 6 : 9 })
    t.match(h.registry.requests[0]?.variables, { searchString: null, buckets: [], size: 10 })
    t.equal(/latestOnly/.test(h.registry.requests[0]?.query ?? ''), latestOnlyKnown, 'latestOnly only where the registry has it')
    t.match(textOf(latest), latestOnlyKnown ? /^6 package match\(es\) for everything in all buckets/ : /cannot limit search to latest revisions/)
    t.equal(dataOf<Hits>(latest).hits.every((hit) => hit.total_entries === null), era < '2025-08-22', 'file counts where hits have them')

    const every = await h.call('search_packages', { query: '', latest_only: false, buckets: ['quilt-example'], limit: 2 })
    const data = dataOf<Hits>(every)
    t.equal(data.total, 5, 'three revisions of wellplates, one each of the others')
    t.equal(data.hits.length, 2, 'limit')
    t.match(textOf(every), /More results: call search_packages again with cursor "/)
  })

  t.test('cursor in, next_cursor out: pages until the end, each hit once', async (t) => {
    const h = await toolHarness(t, { era })
    const seen: string[] = []
    let cursor: string | undefined
    for (let page = 0; page < 5; page++) {
      // Later pages need only the cursor: the query travels in it.
      const result = await h.call('search_packages', cursor === undefined ? { query: '*', latest_only: false, limit: 4 } : { cursor, limit: 4 })
      t.notOk(result.isError, textOf(result))
      const data = dataOf<Hits>(result)
      seen.push(...data.hits.map((hit) => `${hit.package_name}@${hit.hash}`))
      if (data.next_cursor === null) break
      cursor = data.next_cursor
    }
    t.equal(seen.length, 9, 'every revision')
    t.equal(new Set(seen).size, 9, 'none twice')
    t.same(h.registry.requests.map((r) => r.operationName), ['SearchPackages', 'SearchMorePackages', 'SearchMorePackages'])
  })

  t.test('secure search: total unknown, an empty first page followed to its hits', async (t) => {
    const h = await toolHarness(t, { era, secureSearch: true })
    const result = await h.call('search_packages', { query: '*', limit: 4 })
    t.notOk(result.isError, textOf(result))
    t.match(dataOf(result), { total: null, secure_search: true, next_cursor: String })
    t.equal(dataOf<Hits>(result).hits.length, 4, 'filled from the pages behind the cursor')
    t.match(textOf(result), /^Secure search: total unknown .*4 package match\(es\)/)
    t.notMatch(textOf(result), /-1 package/)
    t.same(h.registry.requests.map((r) => r.operationName), ['SearchPackages', 'SearchMorePackages'])

    const objects = await h.call('search_objects', { query: 'plate1', limit: 50 })
    t.match(dataOf(objects), { total: null, secure_search: true, next_cursor: null })
    t.equal(dataOf<ObjectHits>(objects).hits.length, 5)
  })

  t.test('no match is an ordinary result that says so', async (t) => {
    const h = await toolHarness(t, { era })
    const none = await h.call('search_packages', { query: 'no such words here', buckets: ['cellpainting-data'] })
    t.notOk(none.isError)
    t.match(dataOf(none), { total: 0, hits: [], next_cursor: null })
    t.equal(textOf(none).split('\n')[0], 'No packages matched "no such words here" in s3://cellpainting-data (an empty result, not an error).')
  })

  t.test('a cursor the registry did not issue is its InvalidInput, not an empty page', async (t) => {
    const h = await toolHarness(t, { era })
    const result = await h.call('search_objects', { query: '*', cursor: 'not-a-cursor' })
    t.equal(result.isError, true)
    t.match(textOf(result), /rejected the input of SearchMoreObjects: after: The cursor is not one this registry issued/)
  })
})
