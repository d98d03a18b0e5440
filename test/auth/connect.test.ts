import t from 'tap'
import { sameIssuer } from '../../src/auth/connect.js'
import { startSampleConnect, type SampleConnect } from '../../packages/sample-stack/src/connect.js'
import type { Stack } from '../../src/config/stacks.js'
import { signHs256 } from '../../src/auth/token.js'
import { startGateway, type TestGateway } from '../helpers/app.js'
import { ACME_TOKEN, startFakeRegistry } from '../helpers/fake-registry.js'
import { connectClient, rpc } from '../helpers/mcp-client.js'
import { TEST_SECRET } from '../helpers/tokens.js'

// Quilt Connect tokens: verified against the stand-in's JWKS (found from its RFC 8414 metadata), then
// passed to the sample registry as the user's credential. The real app, real sockets, the SDK client.

async function sampleConnect (): Promise<SampleConnect> {
  const connect = await startSampleConnect()
  t.teardown(() => connect.close())
  return connect
}

const connect = await sampleConnect()
const registry = await startFakeRegistry(t, { sessionTokens: connect.registryBearers({ 'user-1': ACME_TOKEN }) })
const stack: Stack = { name: 'QUILT_REGISTRY_URL', hosts: [], registryUrl: registry.url, connectUrl: connect.url }
// Load shedding off: a loaded test machine's event-loop delay must not turn these answers into 503s.
const base = { maxEventLoopDelayMs: 0, stacks: [stack] }
const gateway = await startGateway(t, base)

const authStatus = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'auth_status', arguments: {} } }
const call = (target: TestGateway, token: string) => rpc(target.url, authStatus, { authorization: `Bearer ${token}`, accept: 'application/json, text/event-stream' })
const now = () => Math.floor(Date.now() / 1000)

t.test('a Connect token lists tools and calls a registry tool; the registry receives the token itself', async (t) => {
  const token = await connect.mint('user-1')
  const before = registry.requests.length
  const client = await connectClient(t, gateway.url, token)
  t.ok((await client.listTools()).tools.length > 0, 'tools are listed')
  const result = await client.callTool({ name: 'bucket_list', arguments: {} })
  t.notOk(result.isError, 'the registry tool answers')
  const sent = registry.requests.slice(before)
  t.ok(sent.length > 0 && sent.every((r) => r.authorization === `Bearer ${token}`), 'the Connect token is the registry credential')
  t.equal((await call(gateway, await connect.mint('user-1', { alg: 'ES256' }))).status, 200, 'ES256 is accepted too')
  const entry = gateway.logs.entries.find((e) => e.msg === 'request completed' && e.statusCode === 200)
  t.equal(entry?.sub, 'user-1', 'the user is logged by sub')
  t.notOk(gateway.logs.text.includes(token.split('.')[2]!), 'the token\'s signature is never logged')
  t.match(await (await fetch(`${gateway.url}/metrics`)).text(), /mcp_gateway_credential_checks_total\{kind="connect",outcome="ok"\} [1-9]/)
})

t.test('tokens Connect did not issue for this resource are refused with 401 JSON before reaching the registry', async (t) => {
  const foreign = await connect.foreignKey()
  const cases: Array<[string, string, string]> = [
    ['another audience', await connect.mint('user-1', { claims: { aud: 'https://other-connect.example.com/mcp/platform' } }), 'invalid_audience'],
    ['another issuer', await connect.mint('user-1', { claims: { iss: 'https://other-connect.example.com' } }), 'invalid_issuer'],
    ['expired', await connect.mint('user-1', { expiresIn: -600 }), 'token_expired'],
    ['no exp', await connect.mint('user-1', { claims: { exp: undefined } }), 'missing_expiry'],
    ['HS256 with Connect\'s claims', signHs256({ iss: connect.url, sub: 'user-1', aud: connect.audience, exp: now() + 600 }, TEST_SECRET), 'unsupported_algorithm'],
    ['alg none', `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ iss: connect.url, sub: 'user-1', aud: connect.audience, exp: now() + 600 })).toString('base64url')}.`, 'unsupported_algorithm'],
    ['signed by another key', await connect.mint('user-1', { foreignKey: foreign }), 'invalid_signature'],
    ['another key under a published kid', await connect.mint('user-1', { foreignKey: { ...foreign, kid: JSON.parse(Buffer.from((await connect.mint('x')).split('.')[0]!, 'base64url').toString()).kid } }), 'invalid_signature']
  ]
  const before = registry.requests.length
  for (const [name, token, reason] of cases) {
    const res = await call(gateway, token)
    t.equal(res.status, 401, name)
    t.match(res.headers.get('content-type'), /application\/json/, `${name}: JSON`)
    t.match(res.headers.get('www-authenticate'), /^Bearer error="invalid_token"/, `${name}: a bearer challenge`)
    t.match(await res.json(), { error: { data: { reason } } }, `${name}: ${reason}`)
  }
  t.equal(registry.requests.length, before, 'none of them reached the registry')
})

/** Tokens under kids Connect never published (minted beforehand, so sending them is quick). */
const foreignTokens = async (count: number) =>
  Promise.all(Array.from({ length: count }, async () => connect.mint('user-1', { alg: 'ES256', foreignKey: await connect.foreignKey('ES256') })))
const statusesOf = async (target: TestGateway, tokens: string[]) => new Set(await Promise.all(tokens.map(async (token) => (await call(target, token)).status)))

t.test('unknown kids refetch the JWKS at most once a minute', async (t) => {
  const fresh = await startGateway(t, base)
  t.equal((await call(fresh, await connect.mint('user-1'))).status, 200, 'first token: keys fetched')
  const fetched = connect.fetches.jwks
  t.same(await statusesOf(fresh, await foreignTokens(20)), new Set([401]), 'twenty unknown kids are refused')
  t.equal(connect.fetches.jwks, fetched, 'without a fetch within the minute after the last one')
})

t.test('after the cooldown an unknown kid refetches once: a rotated key is found, and the next unknown kids wait again', async (t) => {
  const cooldownMs = 3000
  const fresh = await startGateway(t, base, { quiltCredentials: { connectKidCooldownMs: cooldownMs } })
  t.equal((await call(fresh, await connect.mint('user-1'))).status, 200, 'first token: keys fetched')
  const fetched = connect.fetches.jwks
  await connect.rotate()
  const rotated = await connect.mint('user-1')
  const unknown = await foreignTokens(10)
  // Measured against the clock, not slept on: the first answer after the cooldown must be 200.
  let status = 0
  const deadline = Date.now() + 20_000
  while (status !== 200 && Date.now() < deadline) {
    status = (await call(fresh, rotated)).status
    if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200))
  }
  t.equal(status, 200, 'the rotated key is picked up once the cooldown has passed')
  t.equal(connect.fetches.jwks, fetched + 1, 'with one refetch, however many requests waited for it')
  t.same(await statusesOf(fresh, unknown), new Set([401]), 'unknown kids right after it are refused')
  t.equal(connect.fetches.jwks, fetched + 1, 'without another fetch')
})

t.test('issuers compare as RFC 3986 origins: Connect spells out :443', async (t) => {
  t.ok(sameIssuer('https://quilt-connect.example.com:443', 'https://Quilt-Connect.example.com/'), 'default port and case')
  t.notOk(sameIssuer('https://quilt-connect.example.com:8443', 'https://quilt-connect.example.com'), 'another port')
  t.notOk(sameIssuer('http://quilt-connect.example.com', 'https://quilt-connect.example.com'), 'another scheme')
  t.notOk(sameIssuer('not a url', 'https://quilt-connect.example.com'), 'not a URL')
})

t.test('the protected-resource metadata names Connect when configured, and only then', async (t) => {
  for (const path of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource/mcp/platform/mcp']) {
    t.match(await (await fetch(`${gateway.url}${path}`)).json(), { authorization_servers: [connect.url] }, path)
  }
  // Without Connect, a fronted stack's users sign in at the gateway's own sign-in server (src/sign-in).
  const plain = await startGateway(t, { ...base, stacks: [{ ...stack, connectUrl: undefined }] })
  const metadata = await (await fetch(`${plain.url}/.well-known/oauth-protected-resource/mcp`)).json() as Record<string, unknown>
  t.same(metadata.authorization_servers, [`${plain.url}/mcp/oauth`], 'no Connect: the gateway\'s own issuer, not Connect')
  const off = await startGateway(t, { ...base, oauth: 'off', stacks: [{ ...stack, connectUrl: undefined }] })
  const none = await (await fetch(`${off.url}/.well-known/oauth-protected-resource/mcp`)).json() as Record<string, unknown>
  t.notOk('authorization_servers' in none, 'neither Connect nor MCP_OAUTH: none named')
  // With Connect and MCP_OAUTH=on, the built-in server runs too, but the metadata names Connect only.
  const both = await startGateway(t, { ...base, oauth: 'on', stacks: [stack] })
  t.same((await (await fetch(`${both.url}/.well-known/oauth-protected-resource/mcp`)).json() as Record<string, unknown>).authorization_servers, [connect.url])
  t.equal((await fetch(`${both.url}/.well-known/oauth-authorization-server/mcp/oauth`)).status, 200, 'MCP_OAUTH=on: the built-in server answers as well')
})

t.test('Connect unreachable or broken: 503 JSON with Retry-After, never a 500 or a hang', async (t) => {
  const broken = await sampleConnect()
  const target = await startGateway(t, { ...base, stacks: [{ ...stack, connectUrl: broken.url }] })
  broken.fault = { status: 500 }
  const res = await call(target, await broken.mint('user-1'))
  t.equal(res.status, 503)
  t.equal(res.headers.get('retry-after'), '5')
  t.match(await res.json(), { error: { message: /Quilt Connect/, data: { reason: 'connect_unavailable' } } })

  const hanging = await sampleConnect()
  const slow = await startGateway(t, { ...base, stacks: [{ ...stack, connectUrl: hanging.url }] })
  hanging.fault = { hang: true }
  const started = Date.now()
  const late = await call(slow, await hanging.mint('user-1'))
  t.equal(late.status, 503, 'a Connect that never answers times out into a 503')
  t.ok(Date.now() - started < 20_000, 'within the fetch timeout, not the client\'s')
  const metadataFetches = hanging.fetches.metadata
  t.equal((await call(slow, await hanging.mint('user-1'))).status, 503, 'the next request is answered at once')
  t.equal(hanging.fetches.metadata, metadataFetches, 'without asking Connect again during the pause')

  hanging.fault = null
  broken.fault = null
  t.match(await (await fetch(`${target.url}/metrics`)).text(), /mcp_gateway_credential_checks_total\{kind="connect",outcome="unavailable"\} 1/)
})
