import { randomUUID } from 'node:crypto'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { sessionTokenVerifier } from '../../packages/sample-stack/src/session-tokens.js'
import type { Stack } from '../../src/config/stacks.js'
import { signHs256 } from '../../src/auth/token.js'
import { buildTestApp } from '../helpers/app.js'
import { ACME_TOKEN, GLOBEX_TOKEN, startFakeRegistry } from '../helpers/fake-registry.js'
import { startFakeSsm } from '../helpers/fake-ssm.js'
import { signToken, TEST_SECRET } from '../helpers/tokens.js'

// Catalog session tokens in the app itself (the real-nginx path is test/e2e/nginx-catalog.test.ts).

const STACK_SECRET = 'stack-b-registry-secret-0123456789-abcdefghijklmn'
const now = () => Math.floor(Date.now() / 1000)
const session = (id: unknown, secret = TEST_SECRET, claims: Record<string, unknown> = {}) =>
  signHs256({ id, uuid: randomUUID(), exp: now() + 3600, ...claims }, secret)

const registry = await startFakeRegistry(t, { sessionTokens: sessionTokenVerifier(TEST_SECRET, { 'user-1': ACME_TOKEN }) })
const registryB = await startFakeRegistry(t, { sessionTokens: sessionTokenVerifier(STACK_SECRET, { 7: GLOBEX_TOKEN }) })
const defaultStack: Stack = { name: 'QUILT_REGISTRY_URL', hosts: [], registryUrl: registry.url, catalogUrl: 'https://catalog.example.com' }
const stackB: Stack = { name: 'b', hosts: ['registry-b.test'], registryUrl: registryB.url, secretSource: { kind: 'value', value: STACK_SECRET } }

// Load shedding off: a loaded test machine's event-loop delay must not turn these answers into 503s.
const base = { maxEventLoopDelayMs: 0 }

const authStatus = { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'auth_status', arguments: {} } }

async function post (app: FastifyInstance, token: string, options: { url?: string, host?: string } = {}) {
  return app.inject({
    method: 'POST',
    url: options.url ?? '/mcp/platform/mcp',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...(options.host !== undefined ? { host: options.host } : {}) },
    payload: authStatus
  })
}

t.test('QUILT_REGISTRY_URL: a session token signed with the gateway\'s secret is sent, as it is, to that registry', async (t) => {
  const { app, logs } = await buildTestApp(t, { ...base, stacks: [defaultStack] })
  const token = session('user-1')
  for (const url of ['/mcp/platform/mcp', '/mcp']) {
    const before = registry.requests.length
    const res = await post(app, token, { url })
    t.equal(res.statusCode, 200, url)
    t.match(res.json(), { result: { structuredContent: { authenticated: true } } }, `${url}: the registry knows the user`)
    t.same(registry.requests.slice(before).map((r) => r.authorization), [`Bearer ${token}`], `${url}: the bearer is the session token`)
  }
  const entry = logs.entries.find((e) => e.msg === 'request completed' && e.url === '/mcp/platform/mcp')
  t.equal(entry?.sub, 'user-1', 'the user is logged by id')
  t.equal(entry?.stack, 'QUILT_REGISTRY_URL', 'and the stack by name')
  t.notOk(logs.text.includes(token), 'the session token is never logged, even at trace level')
  t.notOk(logs.text.includes(token.split('.')[2]!), 'nor its signature')
})

t.test('session tokens need exp and id; without a stack they have no claims to serve', async (t) => {
  const { app } = await buildTestApp(t, { ...base, stacks: [defaultStack] })
  const noExp = await post(app, session('user-1', TEST_SECRET, { exp: undefined }))
  t.equal(noExp.statusCode, 401)
  const expired = await post(app, session('user-1', TEST_SECRET, { exp: now() - 600 }))
  t.equal(expired.json().error.data.reason, 'token_expired')
  const noId = await post(app, session(undefined))
  t.equal(noId.statusCode, 403)
  t.match(noId.json(), { error: { message: /user id/, data: { reason: 'missing_claims' } } })

  const { app: bare } = await buildTestApp(t, base)
  const res = await post(bare, session('user-1'))
  t.equal(res.statusCode, 403, 'no stack configured')
  t.equal(res.json().error.data.reason, 'missing_claims')
})

t.test('a numeric id is the user too, and two sessions of one user share the rate limit', async (t) => {
  const { app } = await buildTestApp(t, { ...base, stacks: [stackB], rateLimitMax: 2 })
  const statuses: number[] = []
  for (let i = 0; i < 3; i++) statuses.push((await post(app, session(7, STACK_SECRET), { host: 'registry-b.test' })).statusCode)
  t.same(statuses, [200, 200, 429], 'a fresh session token does not reset the user\'s budget')
})

t.test('a stack\'s secret signs session tokens only; claims tokens stay the gateway\'s', async (t) => {
  const { app } = await buildTestApp(t, { ...base, stacks: [stackB], allowedRegistryHosts: ['registry.example.com'] })
  const claimsByStack = signToken({ registry_url: registryB.url, catalog_token: GLOBEX_TOKEN }, { secret: STACK_SECRET })
  const refused = await post(app, claimsByStack, { host: 'registry-b.test' })
  t.equal(refused.statusCode, 401)
  t.match(refused.json(), { error: { message: /gateway's secret/, data: { reason: 'invalid_signature' } } })

  const claims = signToken({ registry_url: registryB.url, catalog_token: GLOBEX_TOKEN })
  t.equal((await post(app, claims, { host: 'registry-b.test' })).statusCode, 200, 'a configured stack\'s registry is allowed for claims tokens')
  t.equal((await post(app, claims)).statusCode, 200, 'on any host')
  const elsewhere = await post(app, signToken({ registry_url: 'https://other.example.org', catalog_token: 'x' }))
  t.equal(elsewhere.json().error.data.reason, 'registry_not_allowed', 'other registries still need the allow-list')

  const gatewaySession = await post(app, session('user-1'), { host: 'registry-b.test' })
  t.equal(gatewaySession.statusCode, 403, 'a token without catalog_token signed by the gateway is no session token of stack b')
  t.equal(gatewaySession.json().error.data.reason, 'missing_claims')
})

t.test('issuer and audience apply to claims tokens, not to the registry\'s session tokens', async (t) => {
  const { app } = await buildTestApp(t, { ...base, stacks: [defaultStack], jwtIssuer: 'https://catalog.example.com', jwtAudience: 'quilt-mcp' })
  t.equal((await post(app, session('user-1'))).statusCode, 200, 'a session token carries neither')
  const claims = signToken({ registry_url: registry.url, catalog_token: ACME_TOKEN })
  t.equal((await post(app, claims)).json().error.data.reason, 'invalid_issuer')
  t.equal((await post(app, signToken({ registry_url: registry.url, catalog_token: ACME_TOKEN, iss: 'https://catalog.example.com', aud: ['x', 'quilt-mcp'] }))).statusCode, 200)
})

t.test('the catalog\'s path: POST only, its own protected-resource metadata', async (t) => {
  const { app } = await buildTestApp(t, { ...base, stacks: [defaultStack] })
  for (const method of ['GET', 'DELETE'] as const) {
    const res = await app.inject({ method, url: '/mcp/platform/mcp', headers: { authorization: `Bearer ${session('user-1')}` } })
    t.equal(res.statusCode, 405, method)
    t.equal(res.headers.allow, 'POST')
  }
  const metadata = await app.inject('/.well-known/oauth-protected-resource/mcp/platform/mcp')
  t.match(metadata.json(), { resource: 'http://localhost:80/mcp/platform/mcp', bearer_methods_supported: ['header'] })
  t.match((await app.inject('/.well-known/oauth-protected-resource/mcp')).json(), { resource: 'http://localhost:80/mcp' })
  const missing = await app.inject({ method: 'POST', url: '/mcp/platform/mcp', headers: { 'content-type': 'application/json' }, payload: authStatus })
  t.equal(missing.statusCode, 401)
  // A fronted stack runs its sign-in server: the challenge names the metadata of the path called.
  t.match(missing.headers['www-authenticate'], /^Bearer error="invalid_token", error_description="[^"]+", resource_metadata="http:\/\/localhost:80\/\.well-known\/oauth-protected-resource\/mcp\/platform\/mcp"$/)
})

t.test('a stack\'s secret from SSM: rotated like the gateway\'s, and its outage stays its own', async (t) => {
  const ssm = await startFakeSsm(t, STACK_SECRET)
  const ssmStack: Stack = { ...stackB, secretSource: { kind: 'ssm', parameter: '/quilt/b/registry-secret', region: 'us-east-1' } }
  const { app, logs } = await buildTestApp(t, { ...base, stacks: [ssmStack, defaultStack] })
  await app.ready()
  t.same(ssm.lastRequest, { name: '/quilt/b/registry-secret', withDecryption: true })
  const store = app.stacks.forHost('registry-b.test')!.secrets
  const oldToken = session(7, STACK_SECRET)
  const rotated = 'stack-b-rotated-secret-abcdefghijklmnopqrstuvwxyz-01'
  ssm.value = rotated
  await store.refresh()
  t.equal((await post(app, session(7, rotated), { host: 'registry-b.test' })).statusCode, 200, 'new secret accepted')
  t.equal((await post(app, oldToken, { host: 'registry-b.test' })).statusCode, 200, 'old secret still accepted until the next refresh')
  await store.refresh()
  t.equal((await post(app, oldToken, { host: 'registry-b.test' })).json().error.data.reason, 'invalid_signature', 'then refused')
  t.notOk(logs.text.includes(rotated) || logs.text.includes(STACK_SECRET), 'no secret is logged')
  t.ok(logs.entries.some((e) => e.stack === 'b' && e.msg === 'JWT secret loaded'), 'the stack\'s secret logs name the stack')
})

t.test('a stack whose SSM secret cannot load answers 503 at its hosts; the others keep serving', async (t) => {
  const ssm = await startFakeSsm(t, STACK_SECRET)
  ssm.mode = 'error'
  const ssmStack: Stack = { ...stackB, secretSource: { kind: 'ssm', parameter: '/quilt/b/registry-secret', region: 'us-east-1' } }
  const { app } = await buildTestApp(t, { ...base, stacks: [ssmStack, defaultStack] })
  await app.ready()
  const down = await post(app, session(7, STACK_SECRET), { host: 'registry-b.test' })
  t.equal(down.statusCode, 503)
  t.equal(down.json().error.data.reason, 'secret_unavailable')
  t.equal((await post(app, session('user-1'), { host: 'registry.example.com' })).statusCode, 200, 'the default stack serves')
  t.equal((await app.inject('/readyz')).statusCode, 200, '/readyz follows the gateway\'s own secret')
})
