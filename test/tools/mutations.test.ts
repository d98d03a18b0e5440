import t from 'tap'
import { ACME_TOKEN } from '../helpers/fake-registry.js'
import { dataOf, textOf, toolHarness, type Harness } from './harness.js'
import { ERAS } from '../helpers/eras.js'

// Every test against a sample registry of each supported era, which validates each request against that era's schema.
for (const era of ERAS) t.test(`registry schema ${era}`, async (t) => {
  const target = { bucket: 's3://quilt-example', package_name: 'team/results' }
  const file = (key: string, size = 100, version = '') => ({ logical_key: key, s3_uri: `s3://quilt-example/uploads/${key}${version}`, size })
  const stored = (h: Harness, name: string) => h.registry.tenants[ACME_TOKEN]!.packages.find((p) => p.name === name)

  t.test('package_create pushes exactly the given files with message, metadata and workflow', async (t) => {
    const h = await toolHarness(t, { era })
    const result = await h.call('package_create', {
      ...target,
      files: [file('a.csv', 10), file('data/b.parquet', 2000, '?versionId=v1')],
      message: 'first results',
      metadata: { run: 7, tags: ['x'] },
      workflow: 'imaging'
    })
    t.notOk(result.isError, textOf(result))
    t.match(dataOf(result), { bucket: 'quilt-example', package_name: 'team/results', hash: /^[0-9a-f]{64}$/, total_entries: 2, total_bytes: 2010 })
    t.match(textOf(result), /^Created revision team\/results@[0-9a-f]{12} in s3:\/\/quilt-example: 2 file\(s\), 2.0 KB\.$/)
    t.same(h.registry.requests[0]?.variables, {
      params: { bucket: 'quilt-example', name: 'team/results', message: 'first results', userMeta: { run: 7, tags: ['x'] }, workflow: 'imaging' },
      src: {
        entries: [
          { logicalKey: 'a.csv', physicalKey: 's3://quilt-example/uploads/a.csv', size: 10 },
          { logicalKey: 'data/b.parquet', physicalKey: 's3://quilt-example/uploads/data/b.parquet?versionId=v1', size: 2000 }
        ]
      }
    })
    const revision = stored(h, 'team/results')!.revisions[0]!
    t.match(revision, { message: 'first results', userMeta: { run: 7 }, workflow: { id: 'imaging' } })
  })

  t.test('package_update keeps the latest files, replaces same keys, adds new ones, keeps metadata', async (t) => {
    const h = await toolHarness(t, { era })
    const before = stored(h, 'examples/wellplates')!.revisions[0]!
    const result = await h.call('package_update', {
      bucket: 'quilt-example',
      package_name: 'examples/wellplates',
      files: [file('README.md', 2000), file('data/new.csv', 30)],
      message: 'update readme, add new.csv'
    })
    t.notOk(result.isError, textOf(result))
    t.match(dataOf(result), { previous_hash: before.hash, added: 1, replaced: 1, kept: 5, total_entries: 7 })
    t.match(textOf(result), /^Updated examples\/wellplates@[0-9a-f]{12} .*From [0-9a-f]{12}: 1 file\(s\) added, 1 replaced, 5 kept\./)
    t.same(h.registry.requests.map((r) => r.operationName), ['PackageContents', 'PackageConstruct'])

    const after = stored(h, 'examples/wellplates')!.revisions[0]!
    t.equal(after.message, 'update readme, add new.csv')
    t.same(after.userMeta, before.userMeta, 'metadata carried over when none is given')
    t.equal(after.workflow?.id, 'imaging', 'so is the workflow')
    const byKey = new Map(after.entries.map((e) => [e.logicalKey, e]))
    t.equal(byKey.get('README.md')?.physicalKey, 's3://quilt-example/uploads/README.md', 'replaced')
    t.equal(byKey.get('data/new.csv')?.size, 30, 'added')
    const kept = before.entries.find((e) => e.logicalKey === 'data/metadata.json')!
    t.same(byKey.get('data/metadata.json'), kept, 'kept unchanged: physical key, size, hash and entry metadata')

    const replacedMeta = await h.call('package_update', { bucket: 'quilt-example', package_name: 'examples/wellplates', files: [file('x.txt')], metadata: { fresh: true }, message: 'fresh metadata' })
    t.notOk(replacedMeta.isError)
    t.same(stored(h, 'examples/wellplates')!.revisions[0]!.userMeta, { fresh: true }, 'given metadata replaces the old')
  })

  t.test('package_update of a package that does not exist points to package_create', async (t) => {
    const h = await toolHarness(t, { era })
    const result = await h.call('package_update', { ...target, files: [file('a.csv')], message: 'm' })
    t.equal(result.isError, true)
    t.match(textOf(result), /team\/results was not found in s3:\/\/quilt-example.* To create it, use package_create\./)
    t.same(h.registry.requests.map((r) => r.operationName), ['PackageContents'], 'nothing pushed')
  })

  t.test('package_delete with a hash deletes that revision only', async (t) => {
    const h = await toolHarness(t, { era })
    const [latest, middle] = stored(h, 'examples/wellplates')!.revisions.map((r) => r.hash)
    const result = await h.call('package_delete', { bucket: 'quilt-example', package_name: 'examples/wellplates', hash: middle!.slice(0, 10) })
    t.notOk(result.isError, textOf(result))
    t.same(dataOf(result), { bucket: 'quilt-example', package_name: 'examples/wellplates', deleted: [middle], remaining: 2 })
    t.same(h.registry.requests.find((r) => r.operationName === 'PackageRevisionDelete')?.variables, { bucket: 'quilt-example', name: 'examples/wellplates', hash: middle }, 'the full hash, resolved first')
    t.notOk(h.registry.requests.some((r) => JSON.stringify(r.variables).includes(`"${middle!.slice(0, 10)}"`)), 'the prefix itself is never sent')
    t.same(stored(h, 'examples/wellplates')!.revisions.map((r) => r.hash)[0], latest)
  })

  t.test('package_delete without a hash deletes every revision, oldest first', async (t) => {
    const h = await toolHarness(t, { era })
    const hashes = stored(h, 'examples/wellplates')!.revisions.map((r) => r.hash)
    const result = await h.call('package_delete', { bucket: 'quilt-example', package_name: 'examples/wellplates' })
    t.notOk(result.isError, textOf(result))
    t.same(dataOf(result), { bucket: 'quilt-example', package_name: 'examples/wellplates', deleted: [...hashes].reverse(), remaining: 0 })
    t.match(textOf(result), /Deleted all 3 revision\(s\) .*no longer exists/)
    t.equal(stored(h, 'examples/wellplates'), undefined)
    const again = await h.call('package_delete', { bucket: 'quilt-example', package_name: 'examples/wellplates' })
    t.equal(again.isError, true)
    t.match(textOf(again), /was not found/)
  })

  t.test('package_delete pages through many revisions', async (t) => {
    const h = await toolHarness(t, { era })
    for (let i = 0; i < 120; i++) {
      const pushed = await h.call('package_create', { ...target, files: [file(`f${i}.csv`, i)], message: `push ${i}` })
      t.notOk(pushed.isError)
    }
    const before = h.registry.requests.length
    const result = await h.call('package_delete', target)
    t.notOk(result.isError, textOf(result))
    t.match(dataOf(result), { remaining: 0 })
    t.equal(dataOf<{ deleted: string[] }>(result).deleted.length, 120)
    const ops = h.registry.requests.slice(before).map((r) => r.operationName)
    t.equal(ops.filter((op) => op === 'PackageRevisions').length, 2, 'two pages of 100')
    t.equal(ops.filter((op) => op === 'PackageRevisionDelete').length, 120)
  })
})
