import { gunzipSync } from 'node:zlib'
import t, { type Test } from 'tap'
import { SampleCredentials } from '../../packages/sample-stack/src/credentials.js'
import { demoTenants } from '../../packages/sample-stack/src/data.js'
import { ACME_TOKEN, GLOBEX_TOKEN } from '../helpers/fake-registry.js'
import { startSampleAws } from '../helpers/sample-aws.js'
import { dataOf, textOf, toolHarness } from './harness.js'

async function setup (t: Test) {
  const tenants = demoTenants()
  const credentials = new SampleCredentials()
  const { s3 } = await startSampleAws(t, tenants, [credentials])
  const h = await toolHarness(t, { tenants, credentials, s3Endpoint: s3.url })
  return { h, s3, credentials }
}

const README = 's3://quilt-example/examples/wellplates/README.md'

t.test('bucket_objects_list lists folders first, then objects, and pages with a cursor', async (t) => {
  const { h } = await setup(t)
  const top = await h.call('bucket_objects_list', { bucket: 's3://quilt-example' })
  t.notOk(top.isError, textOf(top))
  t.same(dataOf(top).folders, ['examples/', 'raw-uploads/', 'test/'])
  t.ok(textOf(top).indexOf('examples/') < textOf(top).indexOf('raw-uploads/'))
  // Pages of one entry: folders and objects count together, in key order, as on S3.
  const seen: string[] = []
  let cursor: string | undefined
  for (let page = 0; page < 10; page++) {
    const result = await h.call('bucket_objects_list', { bucket: 'quilt-example', prefix: 'examples/wellplates/', limit: 1, ...(cursor === undefined ? {} : { cursor }) })
    t.notOk(result.isError, textOf(result))
    const data = dataOf<{ folders: string[], objects: Array<{ key: string }>, cursor: string | null }>(result)
    seen.push(...data.folders, ...data.objects.map((o) => o.key))
    if (data.cursor === null) break
    cursor = data.cursor
  }
  t.same(seen, ['examples/wellplates/README.md', 'examples/wellplates/data/'], 'every entry once, across pages')
  const empty = await h.call('bucket_objects_list', { bucket: 'quilt-example', prefix: 'nothing-here/' })
  t.match(textOf(empty), /an empty result, not an error/)
})

t.test('bucket_object_info and bucket_object_text read a real object, ranged, with a CSV preview', async (t) => {
  const { h, s3 } = await setup(t)
  const info = await h.call('bucket_object_info', { s3_uri: 's3://quilt-example/examples/wellplates/data/summary.csv' })
  t.notOk(info.isError, textOf(info))
  t.equal(dataOf(info).size, 20480)
  t.match(dataOf(info).content_type, /text\/csv/)

  const text = await h.call('bucket_object_text', { s3_uri: 's3://quilt-example/examples/wellplates/data/summary.csv', max_bytes: 200 })
  t.notOk(text.isError, textOf(text))
  const data = dataOf<{ text: string, next_offset: number, table: { columns: string[], rows: string[][] } }>(text)
  t.ok(data.text.startsWith('plate,well,cell_count,mean_intensity\n'))
  t.ok(Buffer.byteLength(data.text) <= 200)
  t.same(data.table.columns, ['plate', 'well', 'cell_count', 'mean_intensity'])
  t.ok(data.table.rows.length > 0)
  t.equal(data.next_offset, 200)
  t.match(textOf(text), /call again with offset 200/)
  t.match(textOf(text), /Table preview \(4 columns/)
  const ranged = s3.requests.find((r) => r.method === 'GET' && r.key === 'examples/wellplates/data/summary.csv')
  t.ok(ranged, 'one ranged GET reached S3')

  const next = await h.call('bucket_object_text', { s3_uri: 's3://quilt-example/examples/wellplates/data/summary.csv', offset: 200, max_bytes: 100 })
  t.equal(dataOf(next).offset, 200)
  t.equal(dataOf(next).table, null, 'no table preview from the middle of a file')
})

t.test('gzip is decompressed; binary content is refused with a working link', async (t) => {
  const { h } = await setup(t)
  const gz = await h.call('bucket_object_text', { s3_uri: 's3://globex-genomics/genomics/variant-calls/calls.vcf.gz', max_bytes: 300 }, GLOBEX_TOKEN)
  t.notOk(gz.isError, textOf(gz))
  t.equal(dataOf(gz).gzip, true)
  t.match(dataOf(gz).text, /^##source=genomics\/variant-calls\/calls\.vcf\.gz\nchr1\t/)

  const tif = await h.call('bucket_object_text', { s3_uri: 's3://quilt-example/examples/wellplates/data/raw/plate1/img_001.tif' })
  t.notOk(tif.isError)
  t.equal(dataOf(tif).kind, 'binary')
  t.match(textOf(tif), /is binary/)
  const link = dataOf<{ link: string }>(tif).link
  const response = await fetch(link)
  t.equal(response.status, 200, 'the link downloads the object with plain HTTP')
  const bytes = Buffer.from(await response.arrayBuffer())
  t.same([...bytes.subarray(0, 4)], [...Buffer.from('II*\0')], 'a TIFF')

  const tarball = await h.call('bucket_object_text', { s3_uri: 's3://acme-archive/archive/snapshot-2019/snapshot.tar.gz' })
  t.equal(dataOf(tarball).kind, 'binary', 'gzip of binary is still binary')
  t.ok(gunzipSync(Buffer.from(await (await fetch(dataOf<{ link: string }>(tarball).link)).arrayBuffer())).length > 0)
})

t.test('bucket_object_link presigns a GET that plain HTTP can fetch', async (t) => {
  const { h } = await setup(t)
  const result = await h.call('bucket_object_link', { s3_uri: README, expires_in: 60 })
  t.notOk(result.isError, textOf(result))
  const { url, expires_in: expiresIn } = dataOf<{ url: string, expires_in: number }>(result)
  t.equal(expiresIn, 60)
  const body = await (await fetch(url)).text()
  t.ok(body.startsWith('# examples/wellplates/README.md'))
  t.equal(Buffer.byteLength(body), 1456, 'the latest README, at its catalogued size')
  // The sample S3 verifies SigV4 as S3 does: a link cannot be stretched or pointed elsewhere.
  const longer = new URL(url)
  longer.searchParams.set('X-Amz-Expires', '3600')
  t.equal((await fetch(longer)).status, 403, 'a link whose lifetime was changed no longer verifies')
  const elsewhere = new URL(url.replace('/README.md', '/data/metadata.json'))
  t.equal((await fetch(elsewhere)).status, 403, 'nor one pointed at another object')
})

t.test('a bucket in another region is followed (PermanentRedirect), and links are signed for it', async (t) => {
  const { h, s3 } = await setup(t)
  const text = await h.call('bucket_object_text', { s3_uri: 's3://cellpainting-data/cellpainting/analysis/results/summary.json' })
  t.notOk(text.isError, textOf(text))
  t.ok(s3.requests.some((r) => r.refused === 'PermanentRedirect'), 'S3 redirected the first try')
  const link = await h.call('bucket_object_link', { s3_uri: 's3://cellpainting-data/cellpainting/analysis/results/summary.json' })
  t.equal((await fetch(dataOf<{ url: string }>(link).url)).status, 200)
})

t.test('permission denied, missing objects and bad URIs are clear errors', async (t) => {
  const { h } = await setup(t)
  for (const [tool, args] of [
    ['bucket_objects_list', { bucket: 'globex-genomics' }],
    ['bucket_object_info', { s3_uri: 's3://globex-public/index.html' }],
    ['bucket_object_text', { s3_uri: 's3://globex-public/index.html' }],
    ['bucket_object_link', { s3_uri: 's3://globex-public/index.html' }]
  ] as const) {
    const result = await h.call(tool, args)
    t.ok(result.isError, `${tool} denied`)
    t.match(textOf(result), /Access denied to s3:\/\/globex-(genomics|public)/, tool)
  }
  for (const tool of ['bucket_object_info', 'bucket_object_text', 'bucket_object_link']) {
    const result = await h.call(tool, { s3_uri: 's3://quilt-example/no/such/file.txt' })
    t.ok(result.isError, `${tool} missing`)
    t.match(textOf(result), /No such object: s3:\/\/quilt-example\/no\/such\/file\.txt/, tool)
  }
  await t.rejects(h.call('bucket_object_text', { s3_uri: 'https://example.com/x' }), 'a URI that is not s3:// is refused by the schema')
  await t.rejects(h.call('bucket_object_info', { s3_uri: 's3://quilt-example/k.csv?versionId=%E0%A4' }), /must be \\?"s3:\/\/bucket\/key/,
    'a versionId that is not valid percent-encoding gets the argument error, not an internal one')
  await t.rejects(h.call('bucket_object_text', { s3_uri: README, max_bytes: 2 * 1024 * 1024 }), 'max_bytes above the cap is refused by the schema')
})

t.test('credentials: fetched once per user, refetched once when S3 says expired, then a clear error', async (t) => {
  const { h, s3, credentials } = await setup(t)
  await Promise.all([1, 2, 3].map(() => h.call('bucket_object_info', { s3_uri: README })))
  t.equal(credentials.calls.length, 1, 'single-flight: one fetch for concurrent calls')
  t.same(credentials.calls, [ACME_TOKEN], 'fetched with the user\'s own catalog token')

  credentials.expireAll()
  const refreshed = await h.call('bucket_object_text', { s3_uri: README, max_bytes: 10 })
  t.notOk(refreshed.isError, 'fresh credentials after an ExpiredToken')
  t.equal(credentials.calls.length, 2)
  t.ok(s3.requests.some((r) => r.refused === 'ExpiredToken'))

  credentials.expireAll()
  credentials.issueStale = true
  for (const tool of ['bucket_object_info', 'bucket_object_text', 'bucket_object_link', 'bucket_objects_list']) {
    const before = credentials.calls.length
    const args = tool === 'bucket_objects_list' ? { bucket: 'quilt-example' } : { s3_uri: README }
    const result = await h.call(tool, args)
    t.ok(result.isError, tool)
    t.match(textOf(result), /rejected your temporary credentials as expired, also after fetching fresh ones/, tool)
    t.ok(credentials.calls.length - before <= 1, `${tool}: at most one refetch`)
  }
})

t.test('a malformed versionId is a bad request, not expired credentials, and costs no credential refetch (issue 16)', async (t) => {
  const { h, s3, credentials } = await setup(t)
  t.notOk((await h.call('bucket_object_info', { s3_uri: README })).isError)
  const fetched = credentials.calls.length
  const bad = `${README}?versionId=not%20a%20version`
  for (const tool of ['bucket_object_info', 'bucket_object_text', 'bucket_object_link']) {
    const result = await h.call(tool, { s3_uri: bad })
    t.ok(result.isError, tool)
    t.match(textOf(result), /S3 refused the request for s3:\/\/quilt-example\/examples\/wellplates\/README\.md\?versionId=not%20a%20version as malformed \(InvalidArgument: Invalid version id specified\)\. Check the URI and its versionId\./, tool)
    t.notMatch(textOf(result), /expired|[Ss]ign in/, tool)
  }
  t.equal(credentials.calls.length, fetched, 'no credentials were refetched')
  t.ok(s3.requests.some((r) => r.method === 'HEAD' && r.refused === 'InvalidArgument'), 'S3 answered the HEAD with a bodyless 400')
})

t.test('the registry refusing credentials (401, 403) says what to do', async (t) => {
  const { h, credentials } = await setup(t)
  credentials.refuse = 401
  const signIn = await h.call('bucket_object_text', { s3_uri: README })
  t.ok(signIn.isError)
  t.match(textOf(signIn), /Sign in to the catalog again/)
  credentials.refuse = 403
  const noAccess = await h.call('bucket_object_link', { s3_uri: README })
  t.match(textOf(noAccess), /your role has no data access/)
})

t.test('no credential appears in logs or results', async (t) => {
  const { h, credentials } = await setup(t)
  await h.call('bucket_object_text', { s3_uri: README })
  await h.call('bucket_object_info', { s3_uri: 's3://globex-public/index.html' })
  credentials.issueStale = true
  credentials.expireAll()
  const failed = await h.call('bucket_object_text', { s3_uri: README })
  const logs = h.logs.lines.join('\n')
  for (const issued of credentials.issued) {
    t.notOk(logs.includes(issued.secretAccessKey), 'secret key never logged')
    t.notOk(logs.includes(issued.sessionToken), 'session token never logged')
    t.notOk(JSON.stringify(failed).includes(issued.secretAccessKey))
  }
  t.notOk(logs.includes(ACME_TOKEN), 'catalog token never logged')
})
