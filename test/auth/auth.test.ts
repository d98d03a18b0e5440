import { request as httpRequest } from 'node:http'
import t from 'tap'
import { startGateway, buildTestApp } from '../helpers/app.js'
import type { FastifyInstance } from 'fastify'
import type { Test } from 'tap'
import { signToken, unsignedToken } from '../helpers/tokens.js'

const toolsList = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' })
const now = () => Math.floor(Date.now() / 1000)

/** Every 401/403 row of the HTTP contract (README "Errors"), as [case, Authorization header, status, reason]. */
type Rejection = [name: string, authorization: string | undefined, status: number, reason: string]
const rejections: Rejection[] = [
  ['no Authorization header', undefined, 401, 'missing_token'],
  ['blank Authorization header', '   ', 401, 'missing_token'],
  ['Basic scheme', 'Basic dXNlcjpwYXNz', 401, 'invalid_header'],
  ['Bearer without token', 'Bearer', 401, 'invalid_header'],
  ['two tokens', `Bearer ${signToken()} extra`, 401, 'invalid_header'],
  ['not a JWT', 'Bearer not-a-jwt', 401, 'malformed_token'],
  ['garbage segments', 'Bearer a.b.c', 401, 'malformed_token'],
  ['wrong secret', `Bearer ${signToken({}, { secret: 'another-secret-0123456789-0123456789-xyz' })}`, 401, 'invalid_signature'],
  ['alg none', `Bearer ${unsignedToken()}`, 401, 'unsupported_algorithm'],
  ['RS256 header', `Bearer ${signToken({}, { header: { alg: 'RS256' } })}`, 401, 'unsupported_algorithm'],
  ['HS512 header', `Bearer ${signToken({}, { header: { alg: 'HS512' } })}`, 401, 'unsupported_algorithm'],
  ['expired', `Bearer ${signToken({ exp: now() - 600 })}`, 401, 'token_expired'],
  ['no exp', `Bearer ${signToken({ exp: undefined })}`, 401, 'missing_expiry'],
  ['exp 1e300', `Bearer ${signToken({ exp: 1e300 })}`, 401, 'token_lifetime_too_long'],
  ['lifetime over 7 days', `Bearer ${signToken({ iat: now(), exp: now() + 8 * 24 * 3600 })}`, 401, 'token_lifetime_too_long'],
  ['no iat, exp beyond 7 days', `Bearer ${signToken({ iat: undefined, exp: now() + 30 * 24 * 3600 })}`, 401, 'token_lifetime_too_long'],
  ['nbf in the future', `Bearer ${signToken({ nbf: now() + 600 })}`, 401, 'token_not_yet_valid'],
  ['iat in the future', `Bearer ${signToken({ iat: now() + 600 })}`, 401, 'token_not_yet_valid'],
  ['no catalog_token', `Bearer ${signToken({ catalog_token: undefined })}`, 403, 'missing_claims'],
  ['no registry_url', `Bearer ${signToken({ registry_url: undefined })}`, 403, 'missing_claims'],
  ['registry_url not a URL', `Bearer ${signToken({ registry_url: 'registry' })}`, 403, 'missing_claims'],
  ['catalog_token of the wrong type', `Bearer ${signToken({ catalog_token: 42 })}`, 403, 'missing_claims'],
  ['plain http registry off loopback', `Bearer ${signToken({ registry_url: 'http://registry.example.com' })}`, 403, 'registry_not_allowed'],
  ['registry outside the allow-list', `Bearer ${signToken({ registry_url: 'https://other.example.org' })}`, 403, 'registry_not_allowed'],
  ['loopback registry not listed', `Bearer ${signToken({ registry_url: 'http://127.0.0.1:4000' })}`, 403, 'registry_not_allowed'],
  ['listed host on another port', `Bearer ${signToken({ registry_url: 'https://registry.example.com:8443' })}`, 403, 'registry_not_allowed']
]

async function expectRejection (t: Test, app: FastifyInstance, [name, authorization, status, reason]: Rejection) {
  const res = await app.inject({ method: 'POST', url: '/mcp', headers: { 'content-type': 'application/json', ...(authorization === undefined ? {} : { authorization }) }, payload: toolsList })
  t.equal(res.statusCode, status, `${name}: status`)
  t.match(res.json(), { jsonrpc: '2.0', id: null, error: { code: -32001, message: String, data: { reason } } }, `${name}: body`)
  const error = status === 401 ? 'invalid_token' : 'insufficient_scope'
  // No resource_metadata: no authorization server to discover (see plugins/protected-resource.ts).
  const expected = new RegExp(`^Bearer error="${error}", error_description="[^"]+"$`)
  t.match(res.headers['www-authenticate'], expected, `${name}: WWW-Authenticate`)
}

t.test('every auth failure is a JSON-RPC error with reason and WWW-Authenticate', async (t) => {
  const { app } = await buildTestApp(t, { allowedRegistryHosts: ['registry.example.com'] })
  for (const rejection of rejections) await expectRejection(t, app, rejection)
})

t.test('issuer and audience are checked when configured', async (t) => {
  const { app } = await buildTestApp(t, { jwtIssuer: 'https://catalog.example.com', jwtAudience: 'quilt-mcp' })
  const good = { iss: 'https://catalog.example.com', aud: 'quilt-mcp' }
  await expectRejection(t, app, ['wrong issuer', `Bearer ${signToken({ ...good, iss: 'https://evil.example.com' })}`, 401, 'invalid_issuer'])
  await expectRejection(t, app, ['wrong audience', `Bearer ${signToken({ ...good, aud: 'someone-else' })}`, 401, 'invalid_audience'])
  const res = await app.inject({ method: 'POST', url: '/mcp', headers: { authorization: `Bearer ${signToken(good)}`, 'content-type': 'application/json' }, payload: toolsList })
  t.equal(res.statusCode, 200, 'the right issuer and audience pass')
})

t.test('the messages say what is wrong with the token\'s times', async (t) => {
  const { app } = await buildTestApp(t, { maxTokenLifetimeSeconds: 3600 })
  const send = (token: string) => app.inject({ method: 'POST', url: '/mcp', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: toolsList })
  t.match((await send(signToken({ exp: undefined }))).json(), { error: { message: /no "exp" claim.*exp is required/ } })
  t.match((await send(signToken({ iat: now(), exp: now() + 7200 }))).json(), { error: { message: /at most 3600 s from iat to exp/, data: { reason: 'token_lifetime_too_long' } } })
  t.equal((await send(signToken({ iat: now(), exp: now() + 3600 }))).statusCode, 200, 'exactly the maximum is fine')
})

t.test('an absurd exp never reaches a tool: auth_status answers 401, not an internal error', async (t) => {
  const { app } = await buildTestApp(t)
  const call = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'auth_status', arguments: {} } })
  for (const exp of [1e300, 8.64e15, Number.MAX_SAFE_INTEGER]) {
    const res = await app.inject({ method: 'POST', url: '/mcp', headers: { authorization: `Bearer ${signToken({ exp })}`, 'content-type': 'application/json' }, payload: call })
    t.equal(res.statusCode, 401, `exp ${exp}`)
    t.equal(res.json().error.data.reason, 'token_lifetime_too_long')
  }
})

t.test('a token expired within the clock skew is still accepted', async (t) => {
  const { app } = await buildTestApp(t)
  const res = await app.inject({ method: 'POST', url: '/mcp', headers: { authorization: `Bearer ${signToken({ exp: now() - 5 })}`, 'content-type': 'application/json' }, payload: toolsList })
  t.equal(res.statusCode, 200)
})

/** Sends a request over a real socket and reports what the client saw: a full response or a socket error. */
function rawPost (url: string, headers: Record<string, string>, body: Buffer): Promise<{ status?: number, body?: string, error?: string }> {
  return new Promise((resolve) => {
    const req = httpRequest(`${url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', 'content-length': String(body.length), ...headers } }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', (err) => resolve({ error: (err as NodeJS.ErrnoException).code ?? err.message }))
    })
    req.on('error', (err) => resolve({ error: (err as NodeJS.ErrnoException).code ?? err.message }))
    req.end(body)
  })
}

t.test('over a real socket: a 20 MB body with no or a bad token gets a complete 401, never a reset', async (t) => {
  const { url } = await startGateway(t)
  const body = Buffer.alloc(20 * 1024 * 1024, 'a')
  for (const [name, headers] of [
    ['no token', {}],
    ['bad token', { authorization: `Bearer ${signToken({}, { secret: 'another-secret-0123456789-0123456789-xyz' })}` }]
  ] as const) {
    for (let run = 0; run < 3; run++) {
      const result = await rawPost(url, headers, body)
      t.equal(result.error, undefined, `${name} run ${run}: no socket error`)
      t.equal(result.status, 401, `${name} run ${run}: 401`)
      t.match(JSON.parse(result.body ?? '{}'), { error: { data: { reason: name === 'no token' ? 'missing_token' : 'invalid_signature' } } })
    }
  }
  const after = await rawPost(url, { authorization: `Bearer ${signToken()}` }, Buffer.from(toolsList))
  t.equal(after.status, 200, 'the gateway keeps serving')
})

t.test('over a real socket: every contract row gets a complete JSON answer', async (t) => {
  const { url } = await startGateway(t, { allowedRegistryHosts: ['registry.example.com'] })
  for (const [name, authorization, status, reason] of rejections) {
    const res = await fetch(`${url}/mcp`, { method: 'POST', headers: { 'content-type': 'application/json', ...(authorization === undefined ? {} : { authorization }) }, body: toolsList })
    t.equal(res.status, status, name)
    t.equal(((await res.json()) as { error: { data: { reason: string } } }).error.data.reason, reason, name)
  }
})
