import t from 'tap'
import { dataGateway, dataOf, textOf } from './data-gateway-harness.js'

const wellplates = { bucket: 'quilt-example', package_name: 'examples/wellplates' }

t.test('package_update remove drops logical keys, alone or with new files', async (t) => {
  const g = await dataGateway(t)
  const removed = await g.call('alice', 'package_update', { ...wellplates, message: 'Drop plate 2', remove: ['data/raw/plate2/img_001.tif'] })
  t.notOk(removed.isError, textOf(removed))
  t.match(dataOf(removed), { added: 0, replaced: 0, removed: 1, kept: 5, total_entries: 5 })
  t.match(textOf(removed), /0 file\(s\) added, 0 replaced, 1 removed, 5 kept/)
  const raw = await g.call('alice', 'package_browse', { ...wellplates, path: 'data/raw/' })
  t.notOk(textOf(raw).includes('plate2'), 'the folder is gone from the new revision')
  const meta = await g.call('alice', 'package_info', wellplates)
  t.match(dataOf(meta), { metadata: { operator: 'alice' } }, 'metadata kept from the latest revision')

  const both = await g.call('alice', 'package_update', { ...wellplates, message: 'Swap', remove: ['data/summary.csv'], files: [{ logical_key: 'data/summary-v2.csv', s3_uri: 's3://quilt-example/examples/wellplates/data/summary.csv' }] })
  t.notOk(both.isError, textOf(both))
  t.match(dataOf(both), { added: 1, removed: 1, kept: 4, total_entries: 5 })
  const sent = g.registry.requests.filter((r) => r.operationName === 'PackageConstruct').at(-1)?.variables as { src: { entries: Array<{ logicalKey: string }> } }
  const keys = sent.src.entries.map((e) => e.logicalKey)
  t.notOk(keys.includes('data/summary.csv'), 'the removed key was not sent')
  t.ok(keys.includes('data/summary-v2.csv'), 'the added one was')
})

t.test('remove: clear errors for keys not there, a key both added and removed, an emptied package, another user', async (t) => {
  const g = await dataGateway(t)
  const pushes = () => g.registry.requests.filter((r) => r.operationName === 'PackageConstruct').length
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ ...wellplates, message: 'x' }, /give files \(to add or replace\), remove \(to drop\), or both/],
    [{ ...wellplates, message: 'x', remove: [] }, /remove/],
    [{ ...wellplates, message: 'x', remove: ['no/such.csv'] }, /Not in the latest revision of examples\/wellplates in s3:\/\/quilt-example, so cannot be removed: no\/such\.csv\. Check the logical keys with package_browse/],
    [{ ...wellplates, message: 'x', remove: ['README.md'], files: [{ logical_key: 'README.md', s3_uri: 's3://quilt-example/examples/wellplates/README.md' }] }, /README\.md is both in files and in remove/],
    [{ ...wellplates, message: 'x', remove: ['../README.md'] }, /must not contain "\." or "\.\." segments/]
  ]
  for (const [args, message] of cases) {
    const result = await g.call('alice', 'package_update', args)
    t.ok(result.isError, JSON.stringify(args))
    t.match(textOf(result), message)
  }
  const all = ['README.md', 'data/raw/plate1/img_001.tif', 'data/raw/plate1/img_002.tif', 'data/raw/plate2/img_001.tif', 'data/metadata.json', 'data/summary.csv']
  t.match(textOf(await g.call('alice', 'package_update', { ...wellplates, message: 'x', remove: all })), /would leave examples\/wellplates in s3:\/\/quilt-example empty\. To delete the package, use package_delete/)
  const bob = await g.call('bob', 'package_update', { ...wellplates, message: 'x', remove: ['README.md'] })
  t.ok(bob.isError)
  t.match(textOf(bob), /was not found in s3:\/\/quilt-example, or you have no access to it/)
  t.equal(pushes(), 0, 'nothing was pushed')
})
