import { randomUUID } from 'node:crypto'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { request } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { sessionTokenVerifier } from '../../packages/sample-stack/src/session-tokens.js'
import { signHs256 } from '../../src/auth/token.js'
import { CatalogWireError, catalogWireClient, type CatalogWireOptions } from '../helpers/catalog-wire.js'
import { ACME_TOKEN, GLOBEX_TOKEN, startFakeRegistry } from '../helpers/fake-registry.js'
import { startGatewayProcess } from '../helpers/gateway-process.js'
import { startNginx } from '../helpers/nginx.js'
import { signToken, TEST_SECRET } from '../helpers/tokens.js'

// The Quilt catalog's assistant as it reaches a stack: its own wire (test/helpers/catalog-wire.ts),
// the user's catalog session token, the registry host's location (deploy/nginx/mcp-registry-location.conf)
// in a real nginx, the gateway as a separate process, and registries that check the session token as
// the real one does (packages/sample-stack/src/session-tokens.ts).

const SECRET_A = 'registry-a-secret-0123456789-abcdefghijklmnopqrstuvwxyz'
const SECRET_B = 'registry-b-secret-9876543210-zyxwvutsrqponmlkjihgfedcba'
const CATALOG_A = 'https://catalog-a.example.com'

// Load shedding off: a loaded test machine's event-loop delay must not turn answers into 503s.
const NO_SHEDDING = { MCP_MAX_EVENT_LOOP_DELAY_MS: '0' }
const now = () => Math.floor(Date.now() / 1000)
/** A catalog session token as the registry mints it: id (user), uuid (session), exp; no catalog_token. */
const sessionToken = (id: string, secret: string, claims: Record<string, unknown> = {}) =>
  signHs256({ id, uuid: randomUUID(), exp: now() + 3600, ...claims }, secret)

const registryA = await startFakeRegistry(t, { sessionTokens: sessionTokenVerifier(SECRET_A, { 'user-a': ACME_TOKEN }) })
const registryB = await startFakeRegistry(t, { sessionTokens: sessionTokenVerifier(SECRET_B, { 'user-b': GLOBEX_TOKEN }) })

// One stack: the gateway's secret is registry A's, as read from the stack's SSM parameter in production.
const single = await startGatewayProcess(t, { ...NO_SHEDDING, MCP_JWT_SECRET: SECRET_A, QUILT_REGISTRY_URL: registryA.url, QUILT_CATALOG_URL: CATALOG_A, MCP_CORS_ORIGINS: CATALOG_A })
const singleNginx = await startNginx(t, { upstreams: [{ host: '127.0.0.1', port: single.port }] })

// Two stacks from one gateway, by Host; the gateway's own secret is neither registry's.
const stacksDir = await mkdtemp(join(tmpdir(), 'quilt-mcp-stacks-'))
t.teardown(() => rm(stacksDir, { recursive: true, force: true }))
const stacksFile = join(stacksDir, 'stacks.json')
await writeFile(stacksFile, JSON.stringify([
  { name: 'a', hosts: ['registry-a.test'], registry_url: registryA.url, catalog_url: CATALOG_A, secret: { value: SECRET_A } },
  { name: 'b', hosts: ['registry-b.test'], registry_url: registryB.url, secret: { value: SECRET_B } }
]))
const multi = await startGatewayProcess(t, { ...NO_SHEDDING, MCP_JWT_SECRET: TEST_SECRET, MCP_STACKS_FILE: stacksFile })
const multiNginx = await startNginx(t, { upstreams: [{ host: '127.0.0.1', port: multi.port }] })

const tokenA = sessionToken('user-a', SECRET_A)
const tokenB = sessionToken('user-b', SECRET_B)
const catalogPath = (nginx: { url: string }) => `${nginx.url}/mcp/platform/mcp`

/** Runs a call and returns the HTTP error the catalog's client would raise. */
async function refusal (call: () => Promise<unknown>): Promise<{ status: number, contentType: string, body: { error: { data: { reason: string } } } }> {
  try {
    await call()
  } catch (err) {
    if (err instanceof CatalogWireError) return { status: err.status, contentType: err.contentType, body: JSON.parse(err.body) }
    throw err
  }
  throw new Error('the call was expected to be refused')
}

const bearers = (registry: { requests: Array<{ authorization: string | null }> }, from: number) => new Set(registry.requests.slice(from).map((r) => r.authorization))

t.test('the catalog\'s wire with a session token, through the registry host\'s nginx location', async (t) => {
  const wire: CatalogWireOptions = { url: catalogPath(singleNginx), token: tokenA, host: 'registry-a.example.com', origin: CATALOG_A }
  const client = catalogWireClient(wire)

  const preflight = await new Promise<{ status: number, allowOrigin: unknown }>((resolve, reject) => {
    request(wire.url, {
      method: 'OPTIONS',
      headers: { origin: CATALOG_A, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,mcp-protocol-version' }
    }, (res) => { res.resume(); resolve({ status: res.statusCode ?? 0, allowOrigin: res.headers['access-control-allow-origin'] }) }).on('error', reject).end()
  })
  t.equal(preflight.status, 204, 'the browser\'s CORS preflight passes')
  t.equal(preflight.allowOrigin, CATALOG_A)

  const init = await client.initialize()
  t.match(init, { protocolVersion: '2025-06-18', serverInfo: { name: String } }, 'initialize answers with the catalog\'s protocol version')

  const tools = await client.listTools()
  t.ok(tools.length >= 12, `${tools.length} tools`)
  t.equal(tools.find((tool) => tool.name === 'packages_list')?.annotations?.readOnlyHint, true, 'readOnlyHint, which the catalog reads')

  const before = registryA.requests.length
  const listed = await client.callTool('packages_list', { bucket: 'quilt-example' })
  t.notOk(listed.isError)
  t.match(listed.content[0]?.text, /examples\/wellplates/, 'the user\'s packages, from registry A')
  const status = await client.callTool('auth_status', {})
  t.match(JSON.stringify(status.content), /alice/, 'registry A knows the session token as alice\'s')
  t.ok(registryA.requests.length > before)
  t.same(bearers(registryA, before), new Set([`Bearer ${tokenA}`]), 'registry A saw exactly the session token as bearer')

  const link = await client.callTool('catalog_url', { bucket: 'quilt-example' })
  t.equal(link.content[0]?.text, `${CATALOG_A}/b/quilt-example/tree/`, 'links point at the stack\'s catalog')

  const sse = await client.rpc('tools/call', { name: 'bucket_list', arguments: {} }, 'text/event-stream')
  t.match(sse, { structuredContent: { total: 3 } }, 'an event-stream answer parses as the catalog parses it')
})

t.test('session tokens the stack did not sign, or that expired, get a 401 JSON error through nginx', async (t) => {
  const url = catalogPath(singleNginx)
  const forged = await refusal(() => catalogWireClient({ url, token: sessionToken('user-a', SECRET_B) }).initialize())
  t.equal(forged.status, 401)
  t.match(forged.contentType, /^application\/json/)
  t.equal(forged.body.error.data.reason, 'invalid_signature')
  const expired = await refusal(() => catalogWireClient({ url, token: sessionToken('user-a', SECRET_A, { exp: now() - 600 }) }).initialize())
  t.equal(expired.status, 401)
  t.equal(expired.body.error.data.reason, 'token_expired')
  const noExpiry = await refusal(() => catalogWireClient({ url, token: sessionToken('user-a', SECRET_A, { exp: undefined }) }).initialize())
  t.equal(noExpiry.status, 401, 'exp is required of session tokens too')
})

t.test('claims tokens keep working beside session tokens, at both paths', async (t) => {
  const claims = signToken({ registry_url: registryA.url, catalog_token: ACME_TOKEN }, { secret: SECRET_A })
  for (const path of ['/mcp', '/mcp/platform/mcp']) {
    const result = await catalogWireClient({ url: `${singleNginx.url}${path}`, token: claims }).callTool('bucket_list', {})
    t.notOk(result.isError, path)
  }
})

t.test('two stacks by Host: each session token reaches its own registry only', async (t) => {
  const url = catalogPath(multiNginx)
  const beforeA = registryA.requests.length
  const beforeB = registryB.requests.length
  const a = await catalogWireClient({ url, token: tokenA, host: 'registry-a.test' }).callTool('bucket_list', {})
  t.match(JSON.stringify(a.structuredContent), /quilt-example/)
  // nginx passes the host name the browser called ($host: lower-cased, without the port).
  const b = await catalogWireClient({ url, token: tokenB, host: 'Registry-B.test:8443' }).callTool('bucket_list', {})
  t.match(JSON.stringify(b.structuredContent), /globex-genomics/)
  t.same(bearers(registryA, beforeA), new Set([`Bearer ${tokenA}`]), 'registry A saw only stack A\'s token')
  t.same(bearers(registryB, beforeB), new Set([`Bearer ${tokenB}`]), 'registry B saw only stack B\'s token')

  const calls = registryA.requests.length + registryB.requests.length
  const crossed = await refusal(() => catalogWireClient({ url, token: tokenA, host: 'registry-b.test' }).callTool('bucket_list', {}))
  t.equal(crossed.status, 401, 'stack A\'s token at stack B\'s host does not verify')
  t.equal(crossed.body.error.data.reason, 'invalid_signature')
  t.equal(registryA.requests.length + registryB.requests.length, calls, 'no registry call for the refused token')
})

t.test('an unknown Host never selects a stack of the stacks file', async (t) => {
  const url = catalogPath(multiNginx)
  const before = registryA.requests.length + registryB.requests.length
  const gatewaySigned = signToken({ catalog_token: undefined, registry_url: undefined })
  for (const host of ['other.test', 'localhost', 'registry-a.test.evil.example', 'a']) {
    for (const token of [tokenA, tokenB]) {
      const refused = await refusal(() => catalogWireClient({ url, token, host }).initialize())
      t.equal(refused.status, 401, `${host}: a stack's session token is not verified with its secret here`)
      t.equal(refused.body.error.data.reason, 'invalid_signature')
    }
    const refused = await refusal(() => catalogWireClient({ url, token: gatewaySigned, host }).initialize())
    t.equal(refused.status, 403, `${host}: a token without catalog_token has no stack here`)
    t.equal(refused.body.error.data.reason, 'missing_claims')
  }
  t.equal(registryA.requests.length + registryB.requests.length, before, 'no registry was called')
})

t.test('session tokens never appear in the logs of the gateway or of nginx', async (t) => {
  const logs = JSON.stringify([...single.logs, ...multi.logs])
  t.match(logs, /"sub":"user-a"/, 'the user is logged by id')
  for (const token of [tokenA, tokenB]) {
    t.notOk(logs.includes(token), 'not in the gateway logs')
    t.notOk(logs.includes(token.split('.')[2]!), 'not even its signature')
  }
  for (const nginx of [singleNginx, multiNginx]) {
    const access = await readFile(join(nginx.prefix, 'access.log'), 'utf8')
    t.ok(access.includes('/mcp/platform/mcp'), 'nginx logged the calls')
    t.notOk(access.includes(tokenA) || access.includes(tokenB), 'not in nginx\'s access log')
  }
})

/** One request through nginx with the Host a browser would send (fetch cannot set Host). */
function viaHost (url: string, host: string, options: { method?: string, body?: string, type?: string } = {}): Promise<{ status: number, body: string, headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', headers: { host, ...(options.type !== undefined ? { 'content-type': options.type } : {}) } }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => { body += chunk })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }))
    })
    req.on('error', reject)
    req.end(options.body)
  })
}

t.test('the sign-in server through the registry host\'s nginx: discovery, registration, the consent page', async (t) => {
  const host = 'registry-a.example.com'
  const challenge = await viaHost(catalogPath(singleNginx), host, { method: 'POST', type: 'application/json', body: '{}' })
  t.equal(challenge.status, 401)
  t.match(challenge.headers['www-authenticate'], `resource_metadata="http://${host}/.well-known/oauth-protected-resource/mcp/platform/mcp"`)
  const resource = JSON.parse((await viaHost(`${singleNginx.url}/.well-known/oauth-protected-resource/mcp/platform/mcp`, host)).body) as { authorization_servers: string[] }
  t.same(resource.authorization_servers, [`http://${host}/mcp/oauth`])
  const metadata = await viaHost(`${singleNginx.url}/.well-known/oauth-authorization-server/mcp/oauth`, host)
  t.equal(metadata.status, 200)
  t.match(JSON.parse(metadata.body), { issuer: `http://${host}/mcp/oauth`, registration_endpoint: `http://${host}/mcp/oauth/register` })
  const registered = await viaHost(`${singleNginx.url}/mcp/oauth/register`, host, { method: 'POST', type: 'application/json', body: JSON.stringify({ redirect_uris: ['http://127.0.0.1:9/cb'] }) })
  t.equal(registered.status, 201)
  const clientId = (JSON.parse(registered.body) as { client_id: string }).client_id
  const page = await viaHost(`${singleNginx.url}/mcp/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: 'http://127.0.0.1:9/cb', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' })}`, host)
  t.equal(page.status, 200)
  t.match(page.body, /name="credential"/)
  t.match(page.body, `href="${CATALOG_A}/code"`, 'the consent page links the catalog\'s code page')
  const token = await viaHost(`${singleNginx.url}/mcp/oauth/token`, host, { method: 'POST', type: 'application/x-www-form-urlencoded', body: 'grant_type=authorization_code&code=nope' })
  t.equal(token.status, 400)
  t.match(JSON.parse(token.body), { error: 'invalid_request' }, 'OAuth errors come through as the gateway wrote them')
})
