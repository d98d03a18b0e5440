import t from 'tap'
import { ACME_TOKEN } from '../../packages/sample-stack/src/data.js'
import { startSampleRegistry } from '../../packages/sample-stack/src/server.js'
import type { Stack } from '../../src/config/stacks.js'
import { buildTestApp, startGateway } from '../helpers/app.js'
import { consent, openConsentPage, pkce, REDIRECT_URI, registerClient, tokenRequest } from '../helpers/sign-in.js'

// Discovery: what an MCP host reads before it signs in, per stack, and MCP_OAUTH=off.

const registry = await startSampleRegistry()
t.teardown(() => registry.close())
const stack: Stack = { name: 'QUILT_REGISTRY_URL', hosts: [], registryUrl: registry.url }
const stackB: Stack = { name: 'b', hosts: ['stack-b.test'], registryUrl: registry.url, secretSource: { kind: 'value', value: 'stack-b-secret-0123456789-abcdefghijklmnopqrstu' } }

t.test('each stack has its own issuer, named by its protected-resource metadata and 401s', async (t) => {
  const { app } = await buildTestApp(t, { stacks: [stack, stackB], publicUrl: 'https://registry-a.example.com', maxEventLoopDelayMs: 0 })
  const get = async (url: string, host: string) => (await app.inject({ url, headers: { host } })).json()
  t.match(await get('/.well-known/oauth-protected-resource/mcp/platform/mcp', 'anything'), {
    resource: 'https://registry-a.example.com/mcp/platform/mcp',
    authorization_servers: ['https://registry-a.example.com/mcp/oauth'],
    scopes_supported: ['quilt:read', 'quilt:write']
  })
  t.match(await get('/.well-known/oauth-protected-resource/mcp', 'stack-b.test'), { resource: 'http://stack-b.test/mcp', authorization_servers: ['http://stack-b.test/mcp/oauth'] }, 'a stacks-file stack is reached at its own host')
  for (const path of ['/.well-known/oauth-authorization-server/mcp/oauth', '/.well-known/oauth-authorization-server']) {
    t.match(await get(path, 'stack-b.test'), {
      issuer: 'http://stack-b.test/mcp/oauth',
      authorization_endpoint: 'http://stack-b.test/mcp/oauth/authorize',
      token_endpoint: 'http://stack-b.test/mcp/oauth/token',
      registration_endpoint: 'http://stack-b.test/mcp/oauth/register',
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none'],
      client_id_metadata_document_supported: true,
      authorization_response_iss_parameter_supported: true
    })
  }
  const unauthorized = await app.inject({ method: 'POST', url: '/mcp/platform/mcp', headers: { host: 'stack-b.test', 'content-type': 'application/json' }, payload: '{}' })
  t.equal(unauthorized.statusCode, 401)
  t.match(unauthorized.headers['www-authenticate'], 'resource_metadata="http://stack-b.test/.well-known/oauth-protected-resource/mcp/platform/mcp"', 'the challenge names the metadata of the path called')
})

t.test('MCP_OAUTH=off, or no fronted stack: no sign-in server, nothing to discover', async (t) => {
  for (const overrides of [{ stacks: [stack], oauth: 'off' as const }, { stacks: [] }]) {
    const { app } = await buildTestApp(t, { ...overrides, maxEventLoopDelayMs: 0 })
    const metadata = (await app.inject({ url: '/.well-known/oauth-protected-resource/mcp' })).json() as Record<string, unknown>
    t.notOk('authorization_servers' in metadata)
    t.equal((await app.inject({ url: '/.well-known/oauth-authorization-server/mcp/oauth' })).statusCode, 404)
    t.equal((await app.inject({ method: 'POST', url: '/mcp/oauth/token', payload: 'grant_type=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } })).statusCode, 404)
    const unauthorized = await app.inject({ method: 'POST', url: '/mcp', headers: { 'content-type': 'application/json' }, payload: '{}' })
    t.notMatch(unauthorized.headers['www-authenticate'], /resource_metadata/)
  }
})

t.test('a client that asks for quilt:read only gets no "Allow changes" box and a read-only grant', async (t) => {
  const gateway = await startGateway(t, { stacks: [stack], maxEventLoopDelayMs: 0 })
  const clientId = await registerClient(gateway.url)
  const { verifier, challenge } = pkce()
  const url = `${gateway.url}/mcp/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: REDIRECT_URI, code_challenge: challenge, code_challenge_method: 'S256', scope: 'quilt:read' })}`
  const page = await openConsentPage(url)
  t.notMatch(page.html, /name="write"/)
  const back = await consent(url, registry.logins.issueCode(ACME_TOKEN), { write: true })
  const answer = await tokenRequest(gateway.url, { grant_type: 'authorization_code', code: back.get('code')!, code_verifier: verifier, client_id: clientId, redirect_uri: REDIRECT_URI })
  t.match(answer, { status: 200, body: { scope: 'quilt:read', token_type: 'Bearer' } }, 'a forged "write" field does not widen the grant')
  const narrowed = await tokenRequest(gateway.url, { grant_type: 'refresh_token', refresh_token: answer.body.refresh_token as string, client_id: clientId, scope: 'quilt:read quilt:write' })
  t.match(narrowed, { status: 200, body: { scope: 'quilt:read' } }, 'nor does a refresh')
})
