import { ACME_TOKEN, GLOBEX_TOKEN } from '../helpers/fake-registry.js'
import { dataOf, forEachEra, isLatestOrFullHash, revisionRefsSent, textOf, toolHarness } from './harness.js'

forEachEra((t, era) => {
  const wellplates = { bucket: 'quilt-example', package_name: 'examples/wellplates' }

  t.test('bucket_list lists the visible buckets, most relevant first; the resource says the same', async (t) => {
    const h = await toolHarness(t, { era })
    const result = await h.call('bucket_list')
    t.notOk(result.isError)
    t.match(dataOf(result), { total: 3, buckets: [{ name: 'quilt-example', title: 'Quilt example', tags: ['examples', 'imaging'] }, { name: 'cellpainting-data' }, { name: 'acme-archive', tags: [] }] })
    t.match(textOf(result), /^3 bucket\(s\)[^\n]*\n- quilt-example \(Quilt example\)/)
    t.same(await h.read('quilt://buckets'), result)
    t.same(h.registry.requests.map((r) => r.operationName), ['BucketList', 'BucketList'])
  })

  t.test('packages_list pages, filters and orders; a missing bucket is an error, an empty page is not', async (t) => {
    const h = await toolHarness(t, { era })
    const all = await h.call('packages_list', { bucket: 's3://quilt-example' })
    t.match(dataOf(all), { bucket: 'quilt-example', total: 3, page: 1, per_page: 30, pages: 1 })
    t.same(dataOf<{ packages: Array<{ name: string }> }>(all).packages.map((p) => p.name), ['examples/hurdat', 'examples/wellplates', 'test/integration_lifecycle_1770736485'])

    const newest = await h.call('packages_list', { bucket: 'quilt-example', order: 'modified', per_page: 2, page: 1 })
    t.same(dataOf<{ packages: Array<{ name: string }> }>(newest).packages.map((p) => p.name), ['test/integration_lifecycle_1770736485', 'examples/wellplates'])
    t.match(textOf(newest), /page 1 of 2 \(next: page 2\)/)
    t.match(h.registry.requests.at(-1)?.variables, { order: 'MODIFIED', perPage: 2, number: 1, filter: null })

    const filtered = await h.call('packages_list', { bucket: 'quilt-example', filter: 'WELL' })
    t.match(dataOf(filtered), { total: 1, packages: [{ name: 'examples/wellplates' }] })

    const past = await h.call('packages_list', { bucket: 'quilt-example', page: 9 })
    t.notOk(past.isError)
    t.match(textOf(past), /Page 9 is past the end/)

    const none = await h.call('packages_list', { bucket: 'quilt-example', filter: 'no-such-thing' })
    t.notOk(none.isError, 'no matches is data')
    t.match(textOf(none), /No packages .* not an error/)

    const missing = await h.call('packages_list', { bucket: 'no-such-bucket' })
    t.equal(missing.isError, true)
    t.match(textOf(missing), /s3:\/\/no-such-bucket was not found .* bucket_list/)
  })

  t.test('package_info describes the latest or a given revision with recent revisions', async (t) => {
    const h = await toolHarness(t, { era })
    const latest = await h.call('package_info', wellplates)
    const data = dataOf<{ hash: string, quilt_uri: string, recent_revisions: Array<{ hash: string }> }>(latest)
    t.match(data, {
      hash: /^[0-9a-f]{64}$/,
      message: 'Add plate 2 and summary table',
      metadata: { experiment: { id: 'EXP-002' }, plates: 2 },
      workflow: { id: 'imaging' },
      total_entries: 6,
      revisions_total: 3
    })
    t.equal(data.recent_revisions.length, 3)
    t.match(textOf(latest), /examples\/wellplates@[0-9a-f]{12} in s3:\/\/quilt-example.*3 revision\(s\)/)
    t.match(textOf(latest), /Workflow: imaging/)
    // The predecessor's catalog_uri: the revision's Quilt URI, pinned to its full hash, for quilt3 and the catalog.
    t.equal(data.quilt_uri, `quilt+s3://quilt-example#package=examples/wellplates@${data.hash}`)
    t.match(textOf(latest), `URI: quilt+s3://quilt-example#package=examples/wellplates@${data.hash}`)

    const oldest = data.recent_revisions[2]!.hash
    const byPrefix = await h.call('package_info', { ...wellplates, hash: oldest.slice(0, 8) })
    t.match(dataOf(byPrefix), { hash: oldest, message: 'Initial upload of plate 1', total_entries: 2 })

    const noRevision = await h.call('package_info', { ...wellplates, hash: 'abcdef123456' })
    t.equal(noRevision.isError, true)
    t.match(textOf(noRevision), /No revision of examples\/wellplates .* hash starting with "abcdef123456".*package_info/)
    const unknownFull = await h.call('package_info', { ...wellplates, hash: 'f'.repeat(64) })
    t.match(textOf(unknownFull), /has no revision "f{64}"/)

    // Issue 9: the registry takes only "latest" or a full hash; the gateway resolves a prefix by paging revisions.
    const sent = revisionRefsSent(h)
    t.ok(sent.every(isLatestOrFullHash), `only "latest" or full hashes reach revision(): ${sent.join(', ')}`)
    t.ok(h.registry.requests.some((r) => r.operationName === 'PackageRevisions'), 'the prefix was looked up in the revision list')

    const noPackage = await h.call('package_info', { bucket: 'quilt-example', package_name: 'examples/nothing' })
    t.equal(noPackage.isError, true)
    t.match(textOf(noPackage), /examples\/nothing was not found in s3:\/\/quilt-example/)
  })

  t.test('package_browse asks for dir first and for file only when there is no such folder', async (t) => {
    const h = await toolHarness(t, { era })
    const ops = () => h.registry.requests.map((r) => r.operationName)

    const top = await h.call('package_browse', wellplates)
    t.match(dataOf(top), { kind: 'dir', path: '', total_entries: 2, entries: [{ kind: 'dir', path: 'data/' }, { kind: 'file', path: 'README.md', size: 1456, physical_key: /^s3:\/\/quilt-example\// }] })
    t.same(ops(), ['PackageBrowseDir'])
    t.equal(h.registry.requests[0]?.variables?.path, '')

    const folder = await h.call('package_browse', { ...wellplates, path: 'data/' })
    t.match(dataOf(folder), { kind: 'dir', path: 'data/', total_entries: 3 })
    t.match(textOf(folder), /Folder "data\/" .*\n- data\/raw\/ \(16 MB\)/)
    t.equal(h.registry.requests[1]?.variables?.path, 'data', 'trailing slash trimmed')

    const file = await h.call('package_browse', { ...wellplates, path: 'data/metadata.json' })
    t.match(dataOf(file), { kind: 'file', path: 'data/metadata.json', size: 842, metadata: { user_meta: { schema: 'plate-v1' } } })
    t.same(ops().slice(2), ['PackageBrowseDir', 'PackageBrowseFile'])
    t.ok(h.registry.requests.every((r) => !(r.query?.includes('dir(') && r.query.includes('file('))), 'never both in one query')

    const missing = await h.call('package_browse', { ...wellplates, path: 'data/nope.csv' })
    t.equal(missing.isError, true)
    t.match(textOf(missing), /no file or folder "data\/nope.csv"/)

    const older = await h.call('package_browse', { ...wellplates, path: 'data/summary.csv', hash: dataOf<{ recent_revisions: Array<{ hash: string }> }>(await h.call('package_info', wellplates)).recent_revisions[2]!.hash })
    t.equal(older.isError, true, 'the file did not exist in the first revision')
  })

  t.test('package_diff compares two revisions, or two packages', async (t) => {
    const h = await toolHarness(t, { era })
    const { recent_revisions: revisions } = dataOf<{ recent_revisions: Array<{ hash: string }> }>(await h.call('package_info', wellplates))
    const first = revisions[2]!.hash
    const second = revisions[1]!.hash

    const diff = await h.call('package_diff', { ...wellplates, hash_a: first, hash_b: second })
    t.notOk(diff.isError)
    t.match(dataOf(diff), {
      a: { hash: first },
      b: { hash: second },
      summary: { added: 2, removed: 0, modified: 0, unchanged: 2, metadata_changed: false },
      added: [{ logical_key: 'data/metadata.json', size: 842 }, { logical_key: 'data/raw/plate1/img_002.tif', size: 5300000 }],
      removed: [],
      modified: [],
      truncated: false
    })
    t.same(h.registry.requests.slice(1).map((r) => r.operationName), ['PackageContents', 'PackageContents'])

    const toLatest = await h.call('package_diff', { ...wellplates, hash_a: first })
    t.match(dataOf(toLatest), { summary: { added: 4, removed: 0, modified: 1, unchanged: 1, metadata_changed: true }, modified: [{ logical_key: 'README.md', size_a: 1200, size_b: 1456 }] })
    t.match(textOf(toLatest), /4 added, 0 removed, 1 modified, 1 unchanged; package metadata changed\.\nAdded:\n- data\/metadata.json/)

    const other = await h.call('package_diff', { ...wellplates, hash_a: 'latest', other_bucket: 's3://cellpainting-data', other_package_name: 'cellpainting/plate-BR00116991' })
    t.match(dataOf(other), { a: { bucket: 'quilt-example', package_name: 'examples/wellplates' }, b: { bucket: 'cellpainting-data', package_name: 'cellpainting/plate-BR00116991' }, summary: { added: 3, removed: 4, modified: 2 } })

    const same = await h.call('package_diff', { ...wellplates, hash_a: revisions[0]!.hash })
    t.notOk(same.isError)
    t.match(textOf(same), /the same revision, identical/)

    const itself = await h.call('package_diff', { ...wellplates, hash_a: 'latest' })
    t.equal(itself.isError, true, 'latest against latest is refused before any call')
    t.match(textOf(itself), /Both sides/)
  })

  t.test('search_objects finds objects by key; no match is an ordinary empty result', async (t) => {
    const h = await toolHarness(t, { era })
    const found = await h.call('search_objects', { query: 'plate1', buckets: ['s3://quilt-example'], limit: 1 })
    t.match(dataOf(found), { total: 2, hits: [{ bucket: 'quilt-example', key: /plate1\/img_00\d\.tif$/, version_id: String, deleted: false }], next_cursor: String })
    t.match(textOf(found), /^2 object match\(es\) for "plate1" in s3:\/\/quilt-example; best 1:\n- s3:\/\/quilt-example\/.*\nMore results: call search_objects again with cursor "[^"]+"\.$/)
    t.match(h.registry.requests[0]?.variables, { buckets: ['quilt-example'], searchString: 'plate1*', size: 1 })

    const none = await h.call('search_objects', { query: 'no-such-object-anywhere' })
    t.notOk(none.isError)
    t.match(dataOf(none), { total: 0, hits: [] })
    t.match(textOf(none), /No objects matched .* not an error/)
  })

  t.test('each tenant sees its own catalog', async (t) => {
    const h = await toolHarness(t, { era })
    const globex = await h.call('bucket_list', {}, GLOBEX_TOKEN)
    // bob is an admin: only the role-scoped `buckets` (2026-04-22 on) hides the bucket his role cannot read.
    const roleScoped = era >= '2026-04-22'
    t.same(dataOf<{ buckets: Array<{ name: string }> }>(globex).buckets.map((b) => b.name), roleScoped ? ['globex-genomics', 'globex-public'] : ['globex-genomics', 'globex-finance', 'globex-public'])
    t.match(textOf(globex), roleScoped ? /readable by your active role/ : /predates role-scoped bucket lists/)
    t.match(h.registry.requests[0]?.query, roleScoped ? /^query BucketList \{\s+buckets \{/ : /buckets: bucketConfigs/)
    t.same(h.registry.requests.map((r) => r.authorization), [`Bearer ${GLOBEX_TOKEN}`])
  })

  t.test('a short hash prefix must name one revision; a long one is taken at the first match', async (t) => {
    const h = await toolHarness(t, { era })
    const revision = (hash: string, message: string) => ({ hash, modified: '2025-05-01T00:00:00.000Z', message, userMeta: null, entries: [{ logicalKey: 'a.txt', physicalKey: 's3://quilt-example/a.txt', size: 1 }] })
    const twins = ['abcdef01'.padEnd(64, '1'), 'abcdef02'.padEnd(64, '2')]
    h.registry.tenants[ACME_TOKEN]!.packages.push({ bucket: 'quilt-example', name: 'team/twins', revisions: twins.map((hash, i) => revision(hash, `twin ${i}`)) })
    const twin = { bucket: 'quilt-example', package_name: 'team/twins' }
    const ambiguous = await h.call('package_info', { ...twin, hash: 'ABCDEF' })
    t.equal(ambiguous.isError, true)
    t.match(textOf(ambiguous), /"abcdef" matches several revisions .*abcdef011111, abcdef022222.*Give more characters/)
    t.match(dataOf(await h.call('package_info', { ...twin, hash: 'abcdef02' })), { hash: twins[1], message: 'twin 1' })
  })
})
