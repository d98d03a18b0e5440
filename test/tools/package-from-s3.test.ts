import t from 'tap'
import { globToRegExp } from '../../src/tools/globs.js'
import { dataGateway, dataOf, textOf } from './data-gateway-harness.js'

const WELLPLATES = 's3://quilt-example/examples/wellplates/'
const push = { bucket: 'quilt-example', package_name: 'examples/from-prefix', message: 'From a prefix' }

t.test('dry_run: logical keys relative to the prefix, filtered by globs, nothing pushed', async (t) => {
  const g = await dataGateway(t)
  const plan = await g.call('alice', 'package_create_from_s3', { ...push, source: 's3://quilt-example/examples/wellplates', include: ['data/**'], exclude: ['**/*.tif'], dry_run: true })
  t.notOk(plan.isError, textOf(plan))
  t.match(dataOf(plan), { source: WELLPLATES, files: 2, pushed: false, entries: [{ logical_key: 'data/metadata.json' }, { logical_key: 'data/summary.csv', size: 20480 }] })
  t.match(textOf(plan), /^Dry run: examples\/from-prefix in s3:\/\/quilt-example would hold 2 file\(s\)/)
  const top = await g.call('alice', 'package_create_from_s3', { ...push, source: WELLPLATES, include: ['*.md'], dry_run: true })
  t.match(dataOf(top), { files: 1, entries: [{ logical_key: 'README.md' }] }, '"*" stays within one folder')
  const tifs = await g.call('alice', 'package_create_from_s3', { ...push, source: WELLPLATES, include: ['**/*.tif'], dry_run: true })
  t.equal(dataOf(tifs).files, 3, '"**" crosses folders')
  const none = await g.call('alice', 'package_create_from_s3', { ...push, source: WELLPLATES, include: ['*.parquet'], dry_run: true })
  t.match(textOf(none), /Nothing to package: no object under s3:\/\/quilt-example\/examples\/wellplates\/ matches the globs/)
  t.notOk(g.registry.requests.some((r) => r.operationName === 'PackageConstruct'), 'no push')
})

t.test('a push lists with the user\'s credentials and points each entry at its object', async (t) => {
  const g = await dataGateway(t)
  const created = await g.call('alice', 'package_create_from_s3', { ...push, source: WELLPLATES, exclude: ['data/raw/**'] })
  t.notOk(created.isError, textOf(created))
  t.match(dataOf(created), { bucket: 'quilt-example', package_name: 'examples/from-prefix', pushed: true, files: 3, total_entries: 3 })
  const file = await g.call('alice', 'package_browse', { bucket: 'quilt-example', package_name: 'examples/from-prefix', path: 'data/summary.csv' })
  t.match(textOf(file), /s3:\/\/quilt-example\/examples\/wellplates\/data\/summary\.csv/)
  const text = await g.call('alice', 'package_file_text', { bucket: 'quilt-example', package_name: 'examples/from-prefix', path: 'README.md' })
  t.match(dataOf(text), { text: /^# examples\/wellplates\/README\.md/ }, 'the entry reads back through the package')

  // The bucket in another region: listed after S3's redirect.
  const far = await g.call('alice', 'package_create_from_s3', { bucket: 'cellpainting-data', package_name: 'cellpainting/thumbnails', message: 'Thumbnails', source: 's3://cellpainting-data/cellpainting/thumbnails/' })
  t.notOk(far.isError, textOf(far))
  t.equal(dataOf(far).files, 1)

  const bob = await g.call('bob', 'package_create_from_s3', { bucket: 'globex-public', package_name: 'stolen/wellplates', message: 'x', source: WELLPLATES })
  t.ok(bob.isError)
  t.match(textOf(bob), /Access denied to s3:\/\/quilt-example\/examples\/wellplates\//)
  t.ok(g.s3.requests.some((r) => r.bucket === 'quilt-example' && r.refused === 'AccessDenied'), 'S3 refused bob\'s own credentials')
})

t.test('more than 10,000 objects: a clear error, and listing stops there', async (t) => {
  const g = await dataGateway(t, { listedOnly: { bucket: 'quilt-example', prefix: 'generated/', count: 12_500 } })
  const pages = () => g.s3.requests.filter((r) => r.method === 'GET' && r.bucket === 'quilt-example' && r.key === null).length
  const tooMany = await g.call('alice', 'package_create_from_s3', { ...push, source: 's3://quilt-example/generated/', dry_run: true })
  t.ok(tooMany.isError)
  t.match(textOf(tooMany), /More than 10000 objects under s3:\/\/quilt-example\/generated\/ match: a package from a prefix holds at most 10000\. Narrow the prefix, or add include\/exclude globs\./)
  t.equal(pages(), 11, 'eleven pages of 1,000 (the 10,001st object), not all thirteen')
  const narrowed = await g.call('alice', 'package_create_from_s3', { ...push, source: 's3://quilt-example/generated/', include: ['part-0*.csv'], dry_run: true })
  t.notOk(narrowed.isError, textOf(narrowed))
  t.match(dataOf(narrowed), { files: 9999, entries_truncated: true, entries: { length: 100 } }, 'the filters count, and the plan is bounded')
})

t.test('bad inputs', async (t) => {
  const g = await dataGateway(t)
  for (const [args, message] of [
    [{ ...push }, /source/],
    [{ ...push, source: 'quilt-example/examples/' }, /must be "s3:\/\/bucket\/prefix\/"/],
    [{ bucket: 'quilt-example', package_name: 'examples/x', source: WELLPLATES }, /message/],
    [{ ...push, message: '  ', source: WELLPLATES }, /a commit message is required/],
    [{ ...push, package_name: 'no-slash', source: WELLPLATES }, /must be "namespace\/name"/]
  ] as const) {
    const result = await g.call('alice', 'package_create_from_s3', args)
    t.ok(result.isError, JSON.stringify(args))
    t.match(textOf(result), message)
  }
})

t.test('globs: "*" within a segment, "**" across, the rest literal', async (t) => {
  t.ok(globToRegExp('*.csv').test('a.csv'))
  t.notOk(globToRegExp('*.csv').test('d/a.csv'))
  t.ok(globToRegExp('**/*.csv').test('a.csv'), 'a leading **/ matches no folder too')
  t.ok(globToRegExp('**/*.csv').test('d/e/a.csv'))
  t.ok(globToRegExp('data/**').test('data/x/y'))
  t.notOk(globToRegExp('a.c').test('abc'), '"." is literal')
  t.ok(globToRegExp('img_00?.tif').test('img_001.tif'))
})
