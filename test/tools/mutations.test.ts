import { ACME_TOKEN } from '../helpers/fake-registry.js'
import { dataOf, forEachEra, textOf, toolHarness, type Harness } from './harness.js'

forEachEra((t, era) => {
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
    // Seeded directly (newest first), which is quicker than 120 pushes in each era.
    const revisions = Array.from({ length: 120 }, (_, i) => ({
      hash: (i + 1).toString(16).padStart(64, '0'),
      modified: new Date(Date.UTC(2025, 0, 1, 0, 0, 120 - i)).toISOString(),
      message: `push ${i}`,
      userMeta: null,
      entries: [{ logicalKey: `f${i}.csv`, physicalKey: `s3://quilt-example/uploads/f${i}.csv`, size: i }]
    }))
    h.registry.tenants[ACME_TOKEN]!.packages.push({ bucket: 'quilt-example', name: 'team/results', revisions })
    const before = h.registry.requests.length
    const result = await h.call('package_delete', target)
    t.notOk(result.isError, textOf(result))
    t.match(dataOf(result), { remaining: 0 })
    t.equal(dataOf<{ deleted: string[] }>(result).deleted.length, 120)
    const ops = h.registry.requests.slice(before).map((r) => r.operationName)
    t.equal(ops.filter((op) => op === 'PackageRevisions').length, 2, 'two pages of 100')
    t.equal(ops.filter((op) => op === 'PackageRevisionDelete').length, 120)
  })

  // Issue 9: the registry's rules for pushes and deletes, each of which the sample registry now enforces.
  t.test('a re-push of identical content adds a pointer; deleting the package deletes that hash once', async (t) => {
    const h = await toolHarness(t, { era })
    const push = { ...target, files: [file('same.csv', 5)], message: 'same content' }
    const first = await h.call('package_create', push)
    const second = await h.call('package_create', push)
    t.equal(dataOf<{ hash: string }>(second).hash, dataOf<{ hash: string }>(first).hash, 'same content, same hash')
    t.same(stored(h, 'team/results')!.revisions.map((r) => r.hash), [dataOf<{ hash: string }>(first).hash, dataOf<{ hash: string }>(first).hash], 'listed twice')
    const deleted = await h.call('package_delete', target)
    t.notOk(deleted.isError, textOf(deleted))
    t.match(dataOf(deleted), { deleted: [dataOf<{ hash: string }>(first).hash], remaining: 0 })
    t.equal(h.registry.requests.filter((r) => r.operationName === 'PackageRevisionDelete').length, 1, 'one delete per distinct hash')
  })

  t.test('workflow: omitted is the bucket default, "" is none, and an inherited none stays none', async (t) => {
    const h = await toolHarness(t, { era })
    const construct = () => h.registry.requests.filter((r) => r.operationName === 'PackageConstruct').at(-1)?.variables as { params: Record<string, unknown> }
    await h.call('package_create', { ...target, files: [file('a.csv')], message: 'default workflow' })
    t.notOk('workflow' in construct().params, 'omitted')
    t.equal(stored(h, 'team/results')!.revisions[0]!.workflow?.id, 'imaging', 'the bucket default')
    await h.call('package_create', { ...target, files: [file('a.csv')], message: 'no workflow', workflow: '' })
    t.equal(construct().params.workflow, '')
    t.equal(stored(h, 'team/results')!.revisions[0]!.workflow?.id, null, 'none')
    const updated = await h.call('package_update', { ...target, files: [file('b.csv')], message: 'still none' })
    t.notOk(updated.isError, textOf(updated))
    t.equal(construct().params.workflow, '', 'the inherited "none" is sent as ""')
    t.equal(stored(h, 'team/results')!.revisions[0]!.workflow?.id, null, 'and kept')
  })

  t.test('physical keys are sent percent-encoded per path segment, as the registry decodes them', async (t) => {
    const h = await toolHarness(t, { era })
    const result = await h.call('package_create', {
      ...target,
      message: 'odd keys',
      files: [
        { logical_key: 'pct.csv', s3_uri: 's3://quilt-example/uploads/100% done.csv' },
        { logical_key: 'literal.csv', s3_uri: 's3://quilt-example/up loads/a%20b.csv?versionId=v+1' }
      ]
    })
    t.notOk(result.isError, textOf(result))
    const { src } = h.registry.requests.at(-1)?.variables as { src: { entries: Array<{ physicalKey: string }> } }
    t.same(src.entries.map((e) => e.physicalKey), ['s3://quilt-example/uploads/100%25%20done.csv', 's3://quilt-example/up%20loads/a%2520b.csv?versionId=v%2B1'])
    t.same(stored(h, 'team/results')!.revisions[0]!.entries.map((e) => e.physicalKey), src.entries.map((e) => e.physicalKey), 'read by the registry as the keys they are')
  })
})
