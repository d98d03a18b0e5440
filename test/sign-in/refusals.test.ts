import t from 'tap'
import { ACME_TOKEN, demoTenants } from '../../packages/sample-stack/src/data.js'
import { startSampleRegistry } from '../../packages/sample-stack/src/server.js'
import type { Stack } from '../../src/config/stacks.js'
import { startGateway } from '../helpers/app.js'
import { rpc } from '../helpers/mcp-client.js'
import { consent, openConsentPage, pkce, postConsent, REDIRECT_URI, registerClient, tokenRequest } from '../helpers/sign-in.js'

// What the sign-in server refuses, on one replica, with plain HTTP as any OAuth client sends it.

const API_KEY = 'qk_test_0123456789abcdefghijklmnopqrstuv'
const tenants = demoTenants()
// The sample registry takes an API key as the bearer of its user, as the real one does.
tenants[API_KEY] = tenants[ACME_TOKEN]!
const registry = await startSampleRegistry({ tenants })
t.teardown(() => registry.close())
const registryB = await startSampleRegistry()
t.teardown(() => registryB.close())
const stack: Stack = { name: 'QUILT_REGISTRY_URL', hosts: [], registryUrl: registry.url }
const stackB: Stack = { name: 'b', hosts: ['stack-b.test'], registryUrl: registryB.url, secretSource: { kind: 'value', value: 'stack-b-secret-0123456789-abcdefghijklmnopqrstu' } }
const gateway = await startGateway(t, { stacks: [stack, stackB], maxEventLoopDelayMs: 0 })
const base = gateway.url
const issuer = `${base}/mcp/oauth`

function authorizeUrl (clientId: string, params: Record<string, string | undefined> = {}): string {
  const url = new URL(`${issuer}/authorize`)
  const all: Record<string, string | undefined> = { response_type: 'code', client_id: clientId, redirect_uri: REDIRECT_URI, code_challenge_method: 'S256', state: 'st-1', ...params }
  for (const [name, value] of Object.entries(all)) if (value !== undefined) url.searchParams.set(name, value)
  return url.href
}

/** A whole sign-in by hand; answers the token response. */
async function signIn (credential: string, options: { scope?: string } = {}) {
  const clientId = await registerClient(base)
  const { verifier, challenge } = pkce()
  const back = await consent(authorizeUrl(clientId, { code_challenge: challenge, scope: options.scope }), credential)
  const code = back.get('code')!
  const answer = await tokenRequest(base, { grant_type: 'authorization_code', code, code_verifier: verifier, client_id: clientId, redirect_uri: REDIRECT_URI })
  return { clientId, code, verifier, answer }
}

const redirectParams = async (response: Response) => new URL(response.headers.get('location') ?? 'http://none/').searchParams

t.test('authorize refuses a sign-in without PKCE, or with plain, back at the client\'s redirect with iss', async (t) => {
  const clientId = await registerClient(base)
  for (const params of [{ code_challenge_method: undefined }, { code_challenge_method: 'plain', code_challenge: pkce().challenge }]) {
    const response = await fetch(authorizeUrl(clientId, params), { redirect: 'manual' })
    t.equal(response.status, 303)
    const back = await redirectParams(response)
    t.equal(back.get('error'), 'invalid_request')
    t.match(back.get('error_description'), /S256/)
    t.equal(back.get('iss'), issuer)
    t.equal(back.get('state'), 'st-1')
  }
})

t.test('an unregistered redirect gets an error page, never a redirect', async (t) => {
  const clientId = await registerClient(base)
  const page = await openConsentPage(authorizeUrl(clientId, { code_challenge: pkce().challenge, redirect_uri: 'https://attacker.example/cb' }))
  t.equal(page.status, 400)
  t.equal(page.headers.get('location'), null)
  t.match(page.html, /not one the client registered/)
  t.equal(page.request, undefined, 'no form to post')
})

t.test('registration refuses plain-http redirects off loopback; answers without null fields', async (t) => {
  const refused = await fetch(`${issuer}/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ redirect_uris: ['http://app.example.com/cb'] }) })
  t.equal(refused.status, 400)
  t.match(await refused.json(), { error: 'invalid_redirect_uri', error_description: /must be https/ })
  const ok = await fetch(`${issuer}/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ redirect_uris: ['http://localhost:9000/cb'] }) })
  t.equal(ok.status, 201)
  const body = await ok.json() as Record<string, unknown>
  t.notOk(Object.values(body).includes(null), 'no null fields')
  t.match(body, { token_endpoint_auth_method: 'none', redirect_uris: ['http://localhost:9000/cb'] })
  t.notOk('client_name' in body)
})

t.test('a wrong verifier, a code used twice, a wrong login code', async (t) => {
  const clientId = await registerClient(base)
  const { verifier, challenge } = pkce()
  const back = await consent(authorizeUrl(clientId, { code_challenge: challenge }), registry.logins.issueCode(ACME_TOKEN))
  const code = back.get('code')!
  const wrong = await tokenRequest(base, { grant_type: 'authorization_code', code, code_verifier: pkce().verifier, client_id: clientId, redirect_uri: REDIRECT_URI })
  t.match(wrong, { status: 400, body: { error: 'invalid_grant', error_description: /code_verifier/ } })
  const first = await tokenRequest(base, { grant_type: 'authorization_code', code, code_verifier: verifier, client_id: clientId, redirect_uri: REDIRECT_URI })
  t.equal(first.status, 200)
  t.equal(first.headers.get('cache-control'), 'no-store')
  const second = await tokenRequest(base, { grant_type: 'authorization_code', code, code_verifier: verifier, client_id: clientId, redirect_uri: REDIRECT_URI })
  t.match(second, { status: 400, body: { error: 'invalid_grant', error_description: /already used/ } })

  // A login code works once at the registry too: typed a second time, the page says so.
  const used = registry.logins.issueCode(ACME_TOKEN)
  await consent(authorizeUrl(clientId, { code_challenge: challenge }), used)
  const page = await openConsentPage(authorizeUrl(clientId, { code_challenge: challenge }))
  const again = await postConsent(authorizeUrl(clientId), { request: page.request!, credential: used, action: 'allow' }, page.cookie)
  t.equal(again.status, 400)
  t.match(await again.text(), /wrong, expired or already used/, 'the error is shown on the page')
  const wrongCode = await postConsent(authorizeUrl(clientId), { request: page.request!, credential: 'not-a-code', action: 'allow' }, page.cookie)
  const html = await wrongCode.text()
  t.equal(wrongCode.status, 400)
  t.match(html, /role="alert"/)
  t.match(html, /name="request"/, 'the form is shown again')
  t.notOk(gateway.logs.text.includes(used), 'the login code is not logged')
})

t.test('the consent form refuses posts from elsewhere (no cookie, or another site)', async (t) => {
  const clientId = await registerClient(base)
  const page = await openConsentPage(authorizeUrl(clientId, { code_challenge: pkce().challenge }))
  t.equal(page.headers.get('x-frame-options'), 'DENY')
  t.match(page.headers.get('content-security-policy'), /frame-ancestors 'none'/)
  t.notMatch(page.headers.get('content-security-policy'), /form-action/)
  const form = { request: page.request!, credential: registry.logins.issueCode(ACME_TOKEN), action: 'allow' }
  t.equal((await postConsent(authorizeUrl(clientId), form, undefined)).status, 403, 'no cookie')
  const crossSite = await fetch(`${issuer}/authorize`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'cross-site', cookie: page.cookie! }, body: new URLSearchParams(form).toString() })
  t.equal(crossSite.status, 403, 'a cross-site post')
})

t.test('tokens for another audience, another stack, or sealed with another key are refused', async (t) => {
  const { answer } = await signIn(registry.logins.issueCode(ACME_TOKEN))
  const token = answer.body.access_token as string
  const call = { jsonrpc: '2.0', id: 1, method: 'tools/list' }
  t.equal((await rpc(base, call, { authorization: `Bearer ${token}` })).status, 200, 'accepted where it was issued')
  const otherAudience = await rpc(base.replace('127.0.0.1', 'localhost'), call, { authorization: `Bearer ${token}` })
  t.equal(otherAudience.status, 401)
  t.match(await otherAudience.json(), { error: { data: { reason: 'invalid_audience' } } })
  // fetch cannot choose its Host header; inject can (the stacks file selects stacks by Host).
  const inject = (app: typeof gateway.app, host: string) => app.inject({ method: 'POST', url: '/mcp', headers: { host, authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: call })
  const otherStack = await inject(gateway.app, 'stack-b.test')
  t.equal(otherStack.statusCode, 401, 'another stack of the same gateway')
  t.match(otherStack.json(), { error: { data: { reason: 'invalid_signature' } } })
  const otherKey = await startGateway(t, { stacks: [stack], maxEventLoopDelayMs: 0, secretSource: { kind: 'value', value: 'another-secret-0123456789-abcdefghijklmnopqrstuv' } })
  const refused = await inject(otherKey.app, new URL(base).host)
  t.equal(refused.statusCode, 401, 'another secret (another gateway, or a rotated secret) opens nothing')
  t.match(refused.headers['www-authenticate'], /resource_metadata="http:\/\/127\.0\.0\.1:\d+\/\.well-known\/oauth-protected-resource\/mcp"/)
})

t.test('an API key signs in; every refresh re-checks it, so revoking it ends the sign-in', async (t) => {
  const { clientId, answer } = await signIn(API_KEY)
  t.equal(answer.status, 200)
  const listed = await rpc(base, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'auth_status', arguments: {} } }, { authorization: `Bearer ${answer.body.access_token as string}` })
  t.equal(listed.status, 200)
  t.equal(registry.requests.at(-1)?.token, API_KEY, 'the key is what the registry gets')
  const refreshed = await tokenRequest(base, { grant_type: 'refresh_token', refresh_token: answer.body.refresh_token as string, client_id: clientId })
  t.equal(refreshed.status, 200)
  delete tenants[API_KEY]
  const revoked = await tokenRequest(base, { grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token as string, client_id: clientId })
  t.match(revoked, { status: 400, body: { error: 'invalid_grant', error_description: /revoked/ } })
  t.notOk(gateway.logs.text.includes(API_KEY), 'the key is not logged')
})

t.test('a refresh token works once, with a short grace for a concurrent refresh', async (t) => {
  const { clientId, answer } = await signIn(registry.logins.issueCode(ACME_TOKEN))
  const form = { grant_type: 'refresh_token', refresh_token: answer.body.refresh_token as string, client_id: clientId }
  const [one, two] = await Promise.all([tokenRequest(base, form), tokenRequest(base, form)])
  t.equal(one.status, 200)
  t.equal(two.status, 200, 'the concurrent refresh is not treated as a replay')
  t.not(one.body.refresh_token, form.refresh_token, 'rotated')
  const forged = await tokenRequest(base, { ...form, refresh_token: `${form.refresh_token.slice(0, -4)}AAAA` })
  t.match(forged, { status: 400, body: { error: 'invalid_grant' } })
})

t.test('wrong credentials are limited per client address; the page says so', async (t) => {
  const own = await startGateway(t, { stacks: [stack], maxEventLoopDelayMs: 0 })
  const clientId = await registerClient(own.url)
  const url = `${own.url}/mcp/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: REDIRECT_URI, code_challenge: pkce().challenge, code_challenge_method: 'S256' })}`
  const page = await openConsentPage(url)
  for (let i = 0; i < 10; i++) {
    t.equal((await postConsent(url, { request: page.request!, credential: `guess-${i}`, action: 'allow' }, page.cookie)).status, 400)
  }
  const exchanges = registry.logins.exchanges
  const blocked = await postConsent(url, { request: page.request!, credential: registry.logins.issueCode(ACME_TOKEN), action: 'allow' }, page.cookie)
  t.equal(blocked.status, 429)
  t.match(await blocked.text(), /Too many wrong codes/)
  t.equal(registry.logins.exchanges, exchanges, 'the registry is not asked while the address is blocked')
})

t.test('behind a proxy (MCP_TRUST_PROXY), one user\'s failures do not block another\'s sign-in', async (t) => {
  const own = await startGateway(t, { stacks: [stack], maxEventLoopDelayMs: 0, trustProxy: true })
  const clientId = await registerClient(own.url)
  const url = `${own.url}/mcp/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: REDIRECT_URI, code_challenge: pkce().challenge, code_challenge_method: 'S256' })}`
  const page = await openConsentPage(url)
  const post = (credential: string, forwardedFor: string) => fetch(`${own.url}/mcp/oauth/authorize`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: page.cookie!, 'x-forwarded-for': forwardedFor },
    body: new URLSearchParams({ request: page.request!, credential, action: 'allow' }).toString()
  })
  for (let i = 0; i < 10; i++) await post(`guess-${i}`, '198.51.100.7, 10.0.0.1')
  t.equal((await post('guess', '203.0.113.9, 10.0.0.1')).status, 429, 'the guesser (as the proxy saw it) is blocked')
  t.equal((await post(registry.logins.issueCode(ACME_TOKEN), '10.0.0.2')).status, 303, 'another user behind the same proxy signs in')
})
