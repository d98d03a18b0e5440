import t, { type Test } from 'tap'
import { demoTenants } from '../../packages/sample-stack/src/data.js'
import type { SampleRegistry } from '../../packages/sample-stack/src/server.js'
import { ACME_TOKEN, GLOBEX_TOKEN, postGraphql, startFakeRegistry } from '../helpers/fake-registry.js'

const WELLPLATES = { bucket: 'quilt-example', name: 'examples/wellplates' }
const INTEGRATION = 'test/integration_lifecycle_1770736485'

/** Runs one named operation (named after the test's first word) and returns its data, asserting 200 without errors. */
async function run<T = Record<string, unknown>> (t: Test, registry: SampleRegistry, document: string, variables: Record<string, unknown> = {}, token = ACME_TOKEN): Promise<T> {
  const operationName = /^(?:query|mutation)\s+(\w+)/.exec(document)?.[1]
  const res = await postGraphql(registry.url, token, { query: document, operationName, variables })
  t.equal(res.status, 200, `${operationName ?? '?'}: HTTP 200`)
  t.notOk((res.body as { errors?: unknown }).errors, `${operationName ?? '?'}: no GraphQL errors`)
  return (res.body as { data: T }).data
}

t.test('me and bucketConfigs', async (t) => {
  const registry = await startFakeRegistry(t)
  t.same(await run(t, registry, 'query Me { me { name email isAdmin role { name } roles { name } } }'), {
    me: { name: 'alice', email: 'alice@acme.example', isAdmin: false, role: { name: 'AcmeReadWrite' }, roles: [{ name: 'AcmeReadWrite' }, { name: 'AcmeReadOnly' }] }
  })
  const { bucketConfigs } = await run<{ bucketConfigs: Array<{ name: string }> }>(t, registry,
    'query Buckets { bucketConfigs { name title description iconUrl tags relevanceScore lastIndexed browsable overviewUrl } }')
  t.same(bucketConfigs.map((b) => b.name), ['quilt-example', 'cellpainting-data', 'acme-archive'])
  t.match(bucketConfigs[0], { title: 'Quilt example', tags: ['examples', 'imaging'], browsable: true, lastIndexed: /^\d{4}-/ })
})

t.test('packages: filter, pages, order; unknown bucket is null', async (t) => {
  const registry = await startFakeRegistry(t)
  const list = 'query List($bucket: String!, $filter: String, $number: Int, $perPage: Int, $order: PackageListOrder) { packages(bucket: $bucket, filter: $filter) { total page(number: $number, perPage: $perPage, order: $order) { name modified } } }'
  const names = async (variables: Record<string, unknown>) => {
    const { packages } = await run<{ packages: { total: number, page: Array<{ name: string }> } }>(t, registry, list, { bucket: 'quilt-example', ...variables })
    return { total: packages.total, names: packages.page.map((p) => p.name) }
  }
  t.same(await names({}), { total: 3, names: ['examples/hurdat', 'examples/wellplates', INTEGRATION] }, 'by name by default')
  t.same(await names({ order: 'MODIFIED' }), { total: 3, names: [INTEGRATION, 'examples/wellplates', 'examples/hurdat'] }, 'newest first')
  t.same(await names({ filter: 'EXAMPLES/' }), { total: 2, names: ['examples/hurdat', 'examples/wellplates'] }, 'case-insensitive substring')
  t.same(await names({ number: 2, perPage: 2 }), { total: 3, names: [INTEGRATION] }, 'second page')
  t.same(await names({ number: 3, perPage: 2 }), { total: 3, names: [] }, 'past the end')
  t.same(await run(t, registry, list, { bucket: 'no-such-bucket' }), { packages: null })
})

t.test('package, revisions and revision(hashOrTag)', async (t) => {
  const registry = await startFakeRegistry(t)
  const hashes = registry.tenants[ACME_TOKEN]?.packages.find((p) => p.name === WELLPLATES.name)?.revisions.map((r) => r.hash) ?? []
  t.equal(hashes.length, 3)
  const info = `query Info($bucket: String!, $name: String!, $ref: String) { package(bucket: $bucket, name: $name) {
    bucket name modified revisions { total page(perPage: 2) { hash } }
    revision(hashOrTag: $ref) { hash modified message userMeta metadata totalEntries totalBytes workflow { config id } }
  } }`
  const latest = await run<{ package: { revision: { hash: string } } }>(t, registry, info, { ...WELLPLATES, ref: 'latest' })
  t.match(latest, {
    package: {
      ...WELLPLATES,
      modified: '2025-01-10T08:00:00.000Z',
      revisions: { total: 3, page: [{ hash: hashes[0] }, { hash: hashes[1] }] },
      revision: {
        hash: hashes[0],
        message: 'Add plate 2 and summary table',
        userMeta: { experiment: { id: 'EXP-002' } },
        metadata: { version: 'v0', message: 'Add plate 2 and summary table' },
        totalEntries: 6,
        totalBytes: 1456 + 5242880 + 5300000 + 5100000 + 842 + 20480,
        workflow: { id: 'imaging', config: String }
      }
    }
  })
  t.match(latest.package.revision.hash, /^[0-9a-f]{64}$/)
  const hashOf = async (ref: string | null) => (await run<{ package: { revision: { hash: string } | null } }>(t, registry, info, { ...WELLPLATES, ref })).package.revision?.hash ?? null
  t.equal(await hashOf(null), hashes[0], 'null means latest')
  t.equal(await hashOf(hashes[2] ?? ''), hashes[2], 'full hash')
  // As the real registry: "latest" or a full hash only; a prefix finds nothing (the gateway resolves prefixes).
  t.equal(await hashOf(hashes[1]?.slice(0, 12) ?? ''), null, 'a prefix is not a revision')
  t.equal(await hashOf(hashes[1]?.toUpperCase() ?? ''), null, 'nor an upper-case hash')
  t.equal(await hashOf('f'.repeat(64)), null, 'unknown hash')
  t.same(await run(t, registry, info, { bucket: 'quilt-example', name: 'examples/missing' }), { package: null })
})

t.test('dir, file and contentsFlatMap', async (t) => {
  const registry = await startFakeRegistry(t)
  const dir = `query Dir($bucket: String!, $name: String!, $path: String!) { package(bucket: $bucket, name: $name) { revision { dir(path: $path) {
    path size children { __typename ... on PackageFile { path size physicalKey } ... on PackageDir { path size children { __typename } } }
  } } } }`
  const listing = async (path: string) => (await run<{ package: { revision: { dir: unknown } } }>(t, registry, dir, { ...WELLPLATES, path })).package.revision.dir
  t.match(await listing(''), {
    path: '',
    children: [{ __typename: 'PackageDir', path: 'data/' }, { __typename: 'PackageFile', path: 'README.md', size: 1456, physicalKey: /^s3:\/\/quilt-example\/examples\/wellplates\/README\.md\?versionId=/ }]
  })
  const raw = await listing('data/raw')
  t.same(raw, await listing('data/raw/'), 'trailing slash optional')
  t.match(raw, {
    path: 'data/raw/',
    size: 5242880 + 5300000 + 5100000,
    children: [{ __typename: 'PackageDir', path: 'data/raw/plate1/', children: [{ __typename: 'PackageFile' }, { __typename: 'PackageFile' }] }, { path: 'data/raw/plate2/' }]
  })
  t.equal(await listing('README.md'), null, 'a file is not a dir')
  t.equal(await listing('nowhere'), null)

  const file = 'query File($bucket: String!, $name: String!, $path: String!) { package(bucket: $bucket, name: $name) { revision { file(path: $path) { path size physicalKey metadata } } } }'
  t.match(await run(t, registry, file, { ...WELLPLATES, path: 'data/metadata.json' }), {
    package: { revision: { file: { path: 'data/metadata.json', size: 842, metadata: { user_meta: { schema: 'plate-v1' } } } } }
  })
  t.same(await run(t, registry, file, { ...WELLPLATES, path: 'data' }), { package: { revision: { file: null } } })

  const flat = 'query Flat($bucket: String!, $name: String!, $max: Int) { package(bucket: $bucket, name: $name) { revision(hashOrTag: "latest") { contentsFlatMap(max: $max) } } }'
  const { package: { revision } } = await run<{ package: { revision: { contentsFlatMap: Record<string, unknown> | null } } }>(t, registry, flat, WELLPLATES)
  t.equal(Object.keys(revision.contentsFlatMap ?? {}).length, 6)
  t.match(revision.contentsFlatMap?.['data/summary.csv'], { physicalKey: /^s3:\/\//, size: 20480, hash: { type: 'SHA256', value: /^[0-9a-f]{64}$/ }, meta: null })
  t.same(await run(t, registry, flat, { ...WELLPLATES, max: 5 }), { package: { revision: { contentsFlatMap: null } } }, 'null above max')
})

const SEARCH = `query Search($buckets: [String!], $searchString: String, $latestOnly: Boolean!, $size: Int, $ordering: PackageOrdering) {
  searchPackages(buckets: $buckets, searchString: $searchString, latestOnly: $latestOnly) {
    __typename
    ... on PackagesSearchResultSet { total firstPage(size: $size, ordering: $ordering) {
      __typename
      ... on PackagesSearchResultSetPage { cursor hits { id score bucket name pointer hash size modified totalEntriesCount comment meta workflow matchLocations { name comment meta workflow } matchingEntries { logicalKey } } }
      ... on InvalidInput { errors { path name message } }
    } }
    ... on InvalidInput { errors { path name message } }
    ... on OperationError { name message }
  }
}`

interface SearchResult { __typename: string, total?: number, name?: string, message?: string, firstPage?: { __typename: string, cursor: string | null, hits: Array<{ name: string, bucket: string, pointer: string }> } }

t.test('searchPackages: escaping, matching, buckets, latestOnly, pages', async (t) => {
  const registry = await startFakeRegistry(t)
  const search = async (variables: Record<string, unknown>) =>
    (await run<{ searchPackages: SearchResult }>(t, registry, SEARCH, { latestOnly: false, ...variables })).searchPackages

  t.same(await search({ searchString: INTEGRATION, latestOnly: true }), {
    __typename: 'InvalidInput', errors: [{ path: 'searchString', name: 'QuerySyntaxError', message: `Failed to parse query [${INTEGRATION}]` }]
  }, 'an unescaped "/" is a query syntax error, as in Elasticsearch, reported as InvalidInput as the registry does')
  const escaped = await search({ searchString: 'test\\/integration_lifecycle_1770736485', latestOnly: true })
  t.match(escaped, { __typename: 'PackagesSearchResultSet', total: 1, firstPage: { __typename: 'PackagesSearchResultSetPage', cursor: null, hits: [{ name: INTEGRATION, bucket: 'quilt-example', pointer: 'latest', matchLocations: { name: true } }] } })

  t.match(await search({ searchString: 'HURDAT2\\: \\"best track\\" \\[Atlantic\\]' }), { total: 1, firstPage: { hits: [{ name: 'examples/hurdat' }] } }, 'escaped ":", quotes and brackets match literally')
  t.match(await search({ searchString: 'HURDAT2: "best' }), { __typename: 'InvalidInput', errors: [{ name: 'QuerySyntaxError' }] })
  t.match(await search({ searchString: '"best track" AND (NOAA OR nothing)' }), { total: 1, firstPage: { hits: [{ name: 'examples/hurdat' }] } }, 'phrases, operators and groups')
  t.match(await search({ searchString: 'hurricane NOT noaa' }), { __typename: 'EmptySearchResultSet' }, 'NOT')

  t.match(await search({ searchString: 'plate operator\\=none' }), { __typename: 'EmptySearchResultSet' }, 'every term must match')
  t.match(await search({ searchString: 'EXP-002' }), { total: 1, firstPage: { hits: [{ name: 'examples/wellplates', pointer: 'latest' }] } }, 'matches user metadata ("-" inside a word is literal)')
  t.match(await search({ searchString: 'wellplate' }), { __typename: 'EmptySearchResultSet' }, 'by token: a word does not find a longer one')
  t.match(await search({ searchString: 'wellplate*' }), { total: 3 }, 'a trailing wildcard does')

  t.equal((await search({ searchString: '*' })).total, 9, 'bare * matches every revision')
  t.equal((await search({ searchString: null })).total, 9, 'no search string matches every revision')
  t.equal((await search({ searchString: '*', latestOnly: true })).total, 6, 'latestOnly: one per package')
  t.same((await search({ searchString: '*', buckets: ['cellpainting-data'], latestOnly: true })).firstPage?.hits.map((h) => h.bucket), ['cellpainting-data', 'cellpainting-data'])

  const wellplates = await search({ searchString: 'wellplates', size: 2, ordering: 'sys:modified:asc' })
  t.match(wellplates, { total: 3, firstPage: { cursor: String, hits: [{ pointer: String }, { pointer: String }] } }, 'a cursor says there is more')
  t.not(wellplates.firstPage?.hits[0]?.pointer, 'latest', 'oldest first, older revisions have timestamp pointers')
  t.same((await search({ searchString: 'examples', ordering: 'sys:name:desc', latestOnly: true })).firstPage?.hits.map((h) => h.name), ['examples/wellplates', 'examples/hurdat'])
  t.match(await search({ searchString: '*', ordering: 'sys:modified:sideways' }), { firstPage: { __typename: 'InvalidInput', errors: [{ path: 'ordering', name: 'ordering' }] } })
  t.match(await search({ searchString: '*', ordering: 'usr:/a:number:asc' }), { firstPage: { __typename: 'InvalidInput', errors: [{ name: 'UnsupportedSort' }] } })
  t.match(await search({ searchString: 'nothing-like-this'.replace(/-/g, '\\-') }), { __typename: 'EmptySearchResultSet' })
})

t.test('searchObjects: keys, buckets, order, syntax errors', async (t) => {
  const registry = await startFakeRegistry(t)
  const query = `query Objects($buckets: [String!], $searchString: String, $order: SearchResultOrder) { searchObjects(buckets: $buckets, searchString: $searchString) {
    __typename ... on ObjectsSearchResultSet { total firstPage(size: 50, order: $order) { cursor hits { id score bucket key version size modified deleted } } } ... on InvalidInput { errors { name } }
  } }`
  type Objects = { searchObjects: { __typename: string, total: number, name?: string, firstPage: { hits: Array<{ key: string, bucket: string, deleted: boolean }> } } }
  const search = async (variables: Record<string, unknown>) => (await run<Objects>(t, registry, query, variables)).searchObjects
  const tifs = await search({ searchString: 'plate1 img_00*', buckets: ['quilt-example'], order: 'LEX_ASC' })
  t.same(tifs.firstPage.hits.map((h) => h.key), ['examples/wellplates/data/raw/plate1/img_001.tif', 'examples/wellplates/data/raw/plate1/img_002.tif'])
  t.equal((await search({ searchString: 'plate1 img_00*' })).total, 5, 'every bucket when none given')
  t.match(await search({ searchString: 'plate1/img' }), { __typename: 'InvalidInput' })
  t.equal((await search({ searchString: 'ext:tif AND size:>=8388608' })).total, 3, 'fields and ranges')
  t.match(await search({ searchString: 'old\\-export' }), { total: 1, firstPage: { hits: [{ key: 'tmp/old-export.csv', deleted: true }] } })
  t.match(await search({ searchString: 'fastq' }), { __typename: 'EmptySearchResultSet' }, 'another tenant\'s objects are not found')
})

const CONSTRUCT = `mutation Construct($params: PackagePushParams!, $src: PackageConstructSource!) { packageConstruct(params: $params, src: $src) {
  __typename
  ... on PackagePushSuccess { package { name modified revisions { total } } revision { hash modified message userMeta totalEntries totalBytes workflow { id } } }
  ... on InvalidInput { errors { path name message } }
  ... on OperationError { name message }
} }`
const DELETE = `mutation Delete($bucket: String!, $name: String!, $hash: String!) { packageRevisionDelete(bucket: $bucket, name: $name, hash: $hash) {
  __typename ... on OperationError { name message }
} }`
const LATEST = 'query Latest($bucket: String!, $name: String!) { package(bucket: $bucket, name: $name) { revisions { total } revision { hash message } } }'

t.test('packageConstruct adds a revision, only on that server', async (t) => {
  const registry = await startFakeRegistry(t)
  const other = await startFakeRegistry(t)
  const entries = [{ logicalKey: 'new/file.csv', physicalKey: 's3://quilt-example/uploads/file.csv', size: 10 }]
  type Push = { packageConstruct: { __typename: string, revision: { hash: string } } }
  const pushed = await run<Push>(t, registry, CONSTRUCT, {
    params: { ...WELLPLATES, message: 'Fourth', userMeta: { k: 'v' }, workflow: 'imaging' },
    src: { entries }
  })
  t.match(pushed, {
    packageConstruct: {
      __typename: 'PackagePushSuccess',
      package: { name: WELLPLATES.name, revisions: { total: 4 } },
      revision: { hash: /^[0-9a-f]{64}$/, message: 'Fourth', userMeta: { k: 'v' }, totalEntries: 1, totalBytes: 10, workflow: { id: 'imaging' } }
    }
  })
  const { hash } = pushed.packageConstruct.revision
  t.same(await run(t, registry, LATEST, WELLPLATES), { package: { revisions: { total: 4 }, revision: { hash, message: 'Fourth' } } }, 'the new revision is latest')
  t.same(await run(t, other, LATEST, WELLPLATES), { package: { revisions: { total: 3 }, revision: { hash: registry.tenants[ACME_TOKEN]?.packages[0]?.revisions[1]?.hash, message: 'Add plate 2 and summary table' } } }, 'another server is untouched')

  const again = await run<Push>(t, registry, CONSTRUCT, { params: { ...WELLPLATES, message: 'Fourth', userMeta: { k: 'v' }, workflow: 'imaging' }, src: { entries } })
  t.equal(again.packageConstruct.revision.hash, hash, 'same content, same hash')
  t.match(await run(t, registry, LATEST, WELLPLATES), { package: { revisions: { total: 5 } } }, 'and one more pointer, as every push adds one')
  t.match(await run(t, registry, DELETE, { ...WELLPLATES, hash }), { packageRevisionDelete: { __typename: 'PackageRevisionDeleteSuccess' } })
  t.match(await run(t, registry, LATEST, WELLPLATES), { package: { revisions: { total: 3 } } }, 'deleting the hash removes both pointers')

  const created = await run<Push>(t, registry, CONSTRUCT, { params: { bucket: 'cellpainting-data', name: 'new/package' }, src: { entries } })
  t.match(created, { packageConstruct: { __typename: 'PackagePushSuccess', package: { name: 'new/package', revisions: { total: 1 } } } }, 'a new package')
})

t.test('packageConstruct validates its input', async (t) => {
  const registry = await startFakeRegistry(t)
  const entry = { logicalKey: 'a.txt', physicalKey: 's3://quilt-example/a.txt' }
  const errorsOf = async (params: Record<string, unknown>, entries: unknown[]) =>
    (await run<{ packageConstruct: { __typename: string, errors: Array<{ path: string }> } }>(t, registry, CONSTRUCT, { params, src: { entries } })).packageConstruct
  t.match(await errorsOf({ bucket: 'nope', name: 'a/b' }, [entry]), { __typename: 'InvalidInput', errors: [{ path: 'params.bucket', name: 'ValidationError' }] })
  t.match(await errorsOf({ bucket: 'quilt-example', name: 'no-namespace' }, [entry]), { errors: [{ path: 'params.name' }] })
  t.match(await errorsOf({ bucket: 'quilt-example', name: 'a/b' }, []), { errors: [{ path: 'src.entries' }] })
  t.same((await errorsOf({ bucket: 'globex-public', name: 'a:b' }, [entry, { logicalKey: 'a.txt', physicalKey: '/local/a.txt' }])).errors.map((e) => e.path),
    ['params.bucket', 'params.name', 'src.entries[1].logicalKey', 'src.entries[1].physicalKey'], 'all problems at once; another tenant\'s bucket is unknown')
  t.match(await errorsOf({ bucket: 'quilt-example', name: 'a/b', message: ' ' }, [entry]), { errors: [{ path: 'params.message' }] }, 'a blank message, as pkgpush refuses it')
  t.match(await errorsOf({ bucket: 'acme-archive', name: 'a/b', workflow: 'imaging' }, [entry]), { errors: [{ path: 'params.workflow' }] }, 'a workflow where the bucket has none')
  t.match(await errorsOf({ bucket: 'quilt-example', name: 'a/b' }, [{ ...entry, physicalKey: 's3://quilt-example/100%.csv' }]), { errors: [{ path: 'src.entries[0].physicalKey' }] }, 'a key that does not URL-decode')
  t.same(await run(t, registry, LATEST, { bucket: 'quilt-example', name: 'a/b' }), { package: null }, 'nothing was created')
})

t.test('packageRevisionDelete', async (t) => {
  const registry = await startFakeRegistry(t)
  const hashes = registry.tenants[ACME_TOKEN]?.packages.find((p) => p.name === WELLPLATES.name)?.revisions.map((r) => r.hash) ?? []
  t.same(await run(t, registry, DELETE, { ...WELLPLATES, hash: hashes[0] }), { packageRevisionDelete: { __typename: 'PackageRevisionDeleteSuccess' } })
  t.match(await run(t, registry, LATEST, WELLPLATES), { package: { revisions: { total: 2 }, revision: { hash: hashes[1] } } }, 'latest moves back')
  t.match(await run(t, registry, DELETE, { ...WELLPLATES, hash: hashes[0] }), { packageRevisionDelete: { __typename: 'OperationError', name: 'RevisionNotFound' } })
  t.match(await run(t, registry, DELETE, { ...WELLPLATES, hash: hashes[1], name: 'examples/none' }), { packageRevisionDelete: { name: 'RevisionNotFound' } })

  const integration = registry.tenants[ACME_TOKEN]?.packages.find((p) => p.name === INTEGRATION)?.revisions[0]?.hash
  t.match(await run(t, registry, DELETE, { bucket: 'quilt-example', name: INTEGRATION, hash: integration }), { packageRevisionDelete: { __typename: 'PackageRevisionDeleteSuccess' } })
  t.same(await run(t, registry, LATEST, { bucket: 'quilt-example', name: INTEGRATION }), { package: null }, 'deleting the last revision removes the package')
  t.match(await run(t, registry, 'query Left { packages(bucket: "quilt-example") { total } }'), { packages: { total: 2 } })
})

t.test('tenants are isolated by catalog token', async (t) => {
  const registry = await startFakeRegistry(t)
  t.match(await run(t, registry, 'query Me { me { name } }', {}, GLOBEX_TOKEN), { me: { name: 'bob' } })
  t.same(await run(t, registry, 'query Buckets { bucketConfigs { name } }', {}, GLOBEX_TOKEN), { bucketConfigs: [{ name: 'globex-genomics' }, { name: 'globex-public' }, { name: 'globex-finance' }] }, 'an admin sees every bucket here')
  t.same(await run(t, registry, 'query Buckets { buckets { name } }', {}, GLOBEX_TOKEN), { buckets: [{ name: 'globex-genomics' }, { name: 'globex-public' }] }, 'and only his role\'s here')
  t.same(await run(t, registry, LATEST, WELLPLATES, GLOBEX_TOKEN), { package: null }, 'B cannot read A\'s package')
  t.same(await run(t, registry, 'query List { packages(bucket: "quilt-example") { total } }', {}, GLOBEX_TOKEN), { packages: null })
  t.match(await run(t, registry, SEARCH, { searchString: 'wellplates', latestOnly: false }, GLOBEX_TOKEN), { searchPackages: { __typename: 'EmptySearchResultSet' } })
  t.match(await run(t, registry, SEARCH, { searchString: 'genomics', latestOnly: true }, GLOBEX_TOKEN), { searchPackages: { total: 2 } })
  t.match(await run(t, registry, SEARCH, { searchString: 'genomics', latestOnly: true }), { searchPackages: { __typename: 'EmptySearchResultSet' } }, 'and A cannot find B\'s')
})

t.test('demo data', async (t) => {
  const a = demoTenants()
  const b = demoTenants()
  a[ACME_TOKEN]?.packages.pop()
  t.equal(b[ACME_TOKEN]?.packages.length, 6, 'each call is a fresh copy')
  const names = (token: string) => new Set(b[token]?.packages.flatMap((p) => [p.bucket, p.name]))
  const overlap = [...names(ACME_TOKEN)].filter((name) => names(GLOBEX_TOKEN).has(name))
  t.same(overlap, [], 'no bucket or package name is shared between the tenants')
  for (const pkg of Object.values(b).flatMap((tenant) => tenant.packages)) {
    t.ok(pkg.revisions.every((r, i, all) => /^[0-9a-f]{64}$/.test(r.hash) && (i === 0 || (all[i - 1]?.modified ?? '') > r.modified)), `${pkg.name}: 64-hex hashes, newest first`)
  }
})

t.test('secure search and searchMore*: -1, an empty first page, the hits behind its cursor', async (t) => {
  const registry = await startFakeRegistry(t, { secureSearch: true })
  const first = await run<{ searchPackages: SearchResult }>(t, registry, SEARCH, { latestOnly: true, size: 2 })
  t.match(first.searchPackages, { total: -1, firstPage: { hits: [], cursor: String } })
  const more = 'query More($after: String!) { searchMorePackages(after: $after, size: 4) { __typename ... on PackagesSearchResultSetPage { cursor hits { name } } ... on InvalidInput { errors { name } } } }'
  const page = await run<{ searchMorePackages: { cursor: string | null, hits: unknown[] } }>(t, registry, more, { after: first.searchPackages.firstPage?.cursor })
  t.equal(page.searchMorePackages.hits.length, 4)
  const last = await run<{ searchMorePackages: { cursor: string | null, hits: unknown[] } }>(t, registry, more, { after: page.searchMorePackages.cursor })
  t.match(last.searchMorePackages, { cursor: null, hits: { length: 2 } })
  t.match(await run(t, registry, more, { after: 'bogus' }), { searchMorePackages: { __typename: 'InvalidInput', errors: [{ name: 'InvalidCursor' }] } })
})

t.test('each era validates against its own schema', async (t) => {
  const registry = await startFakeRegistry(t, { era: '2024-10-11' })
  t.equal(registry.era, '2024-10-11')
  const res = await postGraphql(registry.url, ACME_TOKEN, { query: SEARCH, operationName: 'Search', variables: { latestOnly: true } })
  t.equal(res.status, 400, 'a document of a later era is refused')
  t.match(JSON.stringify(res.body), /Unknown argument \\"latestOnly\\"/)
  const old = 'query Old { searchPackages(searchString: "wellplates*") { __typename ... on PackagesSearchResultSet { stats { total } firstPage { hits { name } } } } }'
  t.match(await run(t, registry, old), { searchPackages: { stats: { total: 3 }, firstPage: { hits: [{ name: 'examples/wellplates' }] } } })
})
