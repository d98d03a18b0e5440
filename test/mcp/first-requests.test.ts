import { request } from 'node:http'
import t from 'tap'
import { startGateway } from '../helpers/app.js'
import { ACME_TOKEN, startFakeRegistry } from '../helpers/fake-registry.js'
import { rpc } from '../helpers/mcp-client.js'
import { signToken } from '../helpers/tokens.js'

// No load shedding: these tests are about answers and logs, not about a busy machine's event loop.
const steady = { maxEventLoopDelayMs: 0 }

const auth = () => ({ authorization: `Bearer ${signToken()}` })

t.test('resources/templates/list answers an empty list, not "method not found"', async (t) => {
  const { url } = await startGateway(t, steady)
  const res = await rpc(url, { jsonrpc: '2.0', id: 1, method: 'resources/templates/list' }, auth())
  t.equal(res.status, 200)
  t.same(await res.json(), { jsonrpc: '2.0', id: 1, result: { resourceTemplates: [] } })
})

/** A POST over a raw socket with exactly the given headers (fetch would add a Content-Type). */
function rawPost (url: string, headers: Record<string, string>, body: string): Promise<{ status: number, type: string | undefined, body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${url}/mcp`, { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } }, (res) => {
      let text = ''
      res.setEncoding('utf8').on('data', (chunk: string) => { text += chunk })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: res.headers['content-type'], body: text }))
    })
    req.on('error', reject)
    req.end(body)
  })
}

t.test('a body without Content-Type (or another type) gets a JSON 415 that says what to send and what came', async (t) => {
  const { url } = await startGateway(t, steady)
  const ping = '{"jsonrpc":"2.0","id":1,"method":"ping"}'
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{}, /Content-Type: application\/json.*Got no Content-Type\./],
    [{ 'content-type': 'application/x-www-form-urlencoded' }, /Got "application\/x-www-form-urlencoded"\./]
  ]
  for (const [headers, message] of cases) {
    const res = await rawPost(url, { ...auth(), ...headers }, ping)
    t.equal(res.status, 415)
    t.match(res.type, /^application\/json/)
    t.match(JSON.parse(res.body), { jsonrpc: '2.0', error: { message, data: { reason: 'unsupported_media_type' } }, id: null })
  }
})

t.test('tools/list shows package metadata as a JSON-Schema object, not {}', async (t) => {
  const { url } = await startGateway(t, steady)
  const res = await rpc(url, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, auth())
  const { result } = await res.json() as { result: { tools: Array<{ name: string, inputSchema: { properties: Record<string, unknown> } }> } }
  for (const name of ['package_create', 'package_update']) {
    const metadata = result.tools.find((tool) => tool.name === name)?.inputSchema.properties.metadata
    t.match(metadata, { type: 'object', additionalProperties: true, description: /JSON object/ }, name)
  }
})

t.test('a registry_url pasted with its /graphql path reaches the registry, not a 404', async (t) => {
  const registry = await startFakeRegistry(t)
  const { url } = await startGateway(t, steady)
  const token = signToken({ catalog_token: ACME_TOKEN, registry_url: `${registry.url}/graphql` })
  const res = await rpc(url, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'auth_status', arguments: {} } }, { authorization: `Bearer ${token}` })
  const { result } = await res.json() as { result: { isError?: boolean, structuredContent?: { token?: { registry_url?: string } } } }
  t.notOk(result.isError, 'the call succeeds')
  t.equal(result.structuredContent?.token?.registry_url, registry.url, 'the registry is its origin')
})
