import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import t from 'tap'
import { bearerChallenge, NO_OAUTH_MESSAGE } from '../../src/auth/protected-resource.js'
import { buildTestApp, startGateway } from '../helpers/app.js'
import { signToken } from '../helpers/tokens.js'

t.test('metadata names the public MCP URL exactly, at both well-known paths, and claims no signing', async (t) => {
  const { app } = await buildTestApp(t, { publicUrl: 'https://catalog.example.com' })
  for (const url of ['/.well-known/oauth-protected-resource', '/.well-known/oauth-protected-resource/mcp']) {
    const res = await app.inject(url)
    t.equal(res.statusCode, 200)
    t.match(res.json(), { resource: 'https://catalog.example.com/mcp', bearer_methods_supported: ['header'] })
    t.notOk('resource_signing_alg_values_supported' in res.json(), 'the metadata is not signed, so no signing algorithms (RFC 9728 2)')
    t.notOk('authorization_servers' in res.json(), 'tokens come from the catalog, not an OAuth server')
  }
  const spoofed = await app.inject({ url: '/.well-known/oauth-protected-resource', headers: { 'x-forwarded-host': 'evil.example', host: 'evil.example' } })
  t.equal(spoofed.json().resource, 'https://catalog.example.com/mcp', 'MCP_PUBLIC_URL is the only source when set')
})

const forwarded = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'catalog.example.com', host: 'internal:8000' }

t.test('X-Forwarded-* count only with MCP_TRUST_PROXY', async (t) => {
  const { app: trusting } = await buildTestApp(t, { mcpPath: '/quilt/mcp', trustProxy: true })
  t.equal((await trusting.inject({ url: '/.well-known/oauth-protected-resource/quilt/mcp', headers: forwarded })).json().resource, 'https://catalog.example.com/quilt/mcp')
  const direct = await trusting.inject({ url: '/.well-known/oauth-protected-resource', headers: { host: 'gateway.local:8000' } })
  t.equal(direct.json().resource, 'http://gateway.local:8000/quilt/mcp', 'no forwarded headers: the Host header')

  const { app } = await buildTestApp(t, { mcpPath: '/quilt/mcp' })
  t.equal((await app.inject({ url: '/.well-known/oauth-protected-resource/quilt/mcp', headers: forwarded })).json().resource, 'http://internal:8000/quilt/mcp', 'anyone can send X-Forwarded-*: ignored by default')
})

t.test('a Host that is not a host is never published', async (t) => {
  const { app } = await buildTestApp(t, { trustProxy: true })
  for (const host of ['evil.example"><script>', 'a b', 'x", error="forged', 'user@host', 'host/path']) {
    for (const headers of [{ host }, { host: 'ok.example', 'x-forwarded-host': host }]) {
      const res = await app.inject({ url: '/.well-known/oauth-protected-resource', headers })
      t.equal(res.statusCode, 200)
      t.match(res.json().resource, /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?\/mcp$/, `${JSON.stringify(headers)}: the gateway's own address instead`)
    }
  }
  const unauthenticated = await app.inject({ method: 'POST', url: '/mcp', headers: { host: 'x", error="forged' }, payload: {} })
  t.equal(unauthenticated.statusCode, 401)
  t.equal(unauthenticated.headers['www-authenticate'], 'Bearer error="invalid_token", error_description="Authentication required: send \'Authorization: Bearer <token>\'."')
})

t.test('challenge descriptions are escaped: no quotes, backslashes, CR/LF or control characters', async (t) => {
  t.equal(bearerChallenge('invalid_token', 'a "quoted" \\ value\r\nSet-Cookie: x=1\u0000\u00e9'), 'Bearer error="invalid_token", error_description="a \'quoted\' / value  Set-Cookie: x=1  "')
})

/** An OAuth client provider as the MCP Inspector has one: no stored client, no tokens, a redirect URL. */
function inspectorLikeProvider (): OAuthClientProvider & { redirected: URL[] } {
  const redirected: URL[] = []
  return {
    redirected,
    redirectUrl: 'http://localhost:6274/oauth/callback',
    clientMetadata: { client_name: 'inspector-like', redirect_uris: ['http://localhost:6274/oauth/callback'] },
    clientInformation: () => undefined,
    saveClientInformation: () => {},
    tokens: () => undefined,
    saveTokens: () => {},
    redirectToAuthorization: (url) => { redirected.push(url) },
    saveCodeVerifier: () => {},
    codeVerifier: () => 'verifier'
  }
}

t.test('an SDK client with an OAuth provider (the MCP Inspector) and a bad token ends on the gateway\'s words, without a redirect', async (t) => {
  // No load shedding: a 503 on a busy machine would end the flow before its 401.
  const { url, logs } = await startGateway(t, { maxEventLoopDelayMs: 0 })
  const provider = inspectorLikeProvider()
  const client = new Client({ name: 'inspector-like', version: '1.0.0' })
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
    authProvider: provider,
    requestInit: { headers: { authorization: `Bearer ${signToken({ exp: undefined })}` } }
  })
  const error = await client.connect(transport).then(() => undefined, (err: unknown) => err)
  t.ok(error instanceof Error, 'connect fails')
  t.equal((error as Error).message, NO_OAUTH_MESSAGE, 'with what to do, not an OAuth failure')
  t.same(provider.redirected, [], 'no browser is sent to an authorization page')
  await client.close()
  const paths = logs.entries.filter((entry) => entry.msg === 'request completed').map((entry) => `${String(entry.method)} ${String(entry.url)} ${String(entry.statusCode)}`)
  t.ok(paths.length <= 6, `a short exchange: ${paths.join(', ')}`)
  t.ok(paths.includes('POST /register 400'), 'registration is refused with the explanation')
})
