import t from 'tap'
import { AUTOLOAD_MAX_BYTES } from '../../src/tools/resources.js'
import { call, dataOf, sdkGateway, textOf } from './sdk-gateway.js'

t.test('get_resource lists exactly what resources/list offers and reads each as resources/read does', async (t) => {
  const g = await sdkGateway(t)
  const { resources } = await g.alice.listResources()
  const listed = await call(g.alice, 'get_resource')
  t.notOk(listed.isError)
  t.same(dataOf<{ resources: Array<{ uri: string }> }>(listed).resources.map((r) => r.uri), resources.map((r) => r.uri))
  t.ok(resources.some((r) => r.uri === 'quilt-platform://athena') && resources.some((r) => r.uri === 'quilt-platform://search_syntax'))
  for (const { uri } of resources) {
    const [tool, read] = await Promise.all([call(g.alice, 'get_resource', { uri }), g.alice.readResource({ uri })])
    t.notOk(tool.isError, uri)
    const content = read.contents[0] as { text: string }
    t.equal(textOf(tool), content.text, `${uri}: the same content both ways`)
    t.ok(Buffer.byteLength(content.text) <= AUTOLOAD_MAX_BYTES, `${uri} fits the assistant's 16 KB autoload`)
  }
  const me = JSON.parse(textOf(await call(g.bob, 'get_resource', { uri: 'quilt-platform://me' }))) as { user: { name: string } }
  t.equal(me.user.name, 'bob', 'each caller reads their own')
})

t.test('get_resource refuses an unknown uri, naming the known ones', async (t) => {
  const g = await sdkGateway(t)
  const unknown = await call(g.alice, 'get_resource', { uri: 'quilt-platform://secrets' })
  t.ok(unknown.isError)
  t.match(textOf(unknown), /Unknown resource "quilt-platform:\/\/secrets"\. Known resources: .*quilt-platform:\/\/athena/)
  const blank = await call(g.alice, 'get_resource', { uri: '' })
  t.ok(blank.isError)
  t.match(textOf(blank), /Invalid arguments for tool get_resource: uri/)
})

t.test('a large stack\'s bucket list is cut to 16 KB for autoload, whole through get_resource', async (t) => {
  const g = await sdkGateway(t)
  const acme = g.tenants['demo-catalog-token']!
  const template = acme.buckets[0]!
  for (let i = 0; i < 400; i++) acme.buckets.push({ ...template, name: `acme-bucket-${i}`, title: `Bucket ${i}`, description: 'A bucket with a long description. '.repeat(4) })
  const read = await g.alice.readResource({ uri: 'quilt-platform://buckets' })
  const text = (read.contents[0] as { text: string }).text
  t.ok(Buffer.byteLength(text) <= AUTOLOAD_MAX_BYTES, `${Buffer.byteLength(text)} bytes`)
  const cut = JSON.parse(text) as { total: number, truncated: boolean, note: string, buckets: unknown[] }
  t.equal(cut.total, 403)
  t.equal(cut.truncated, true)
  t.ok(cut.buckets.length > 10 && cut.buckets.length < 403, `${cut.buckets.length} buckets shown`)
  t.match(cut.note, /get_resource tool with uri "quilt-platform:\/\/buckets"/)
  const whole = JSON.parse(textOf(await call(g.alice, 'get_resource', { uri: 'quilt-platform://buckets' }))) as { buckets: unknown[] }
  t.equal(whole.buckets.length, 403)
})
