import { createHash, randomBytes } from 'node:crypto'
import { request as httpRequest, createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js'
import type { OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens } from '@modelcontextprotocol/sdk/shared/auth.js'
import type { Test } from 'tap'

export const REDIRECT_URI = 'http://127.0.0.1:33418/callback'

/** An MCP host's OAuth state, in memory: what the SDK asks its host to keep. */
export class MemoryOAuthProvider implements OAuthClientProvider {
  client: OAuthClientInformationMixed | undefined
  saved: OAuthTokens | undefined
  verifier = ''
  authorizationUrl: URL | undefined
  readonly #metadata: OAuthClientMetadata

  constructor (metadata: Partial<OAuthClientMetadata> = {}, readonly clientMetadataUrl?: string) {
    this.#metadata = { client_name: 'SDK test host', redirect_uris: [REDIRECT_URI], grant_types: ['authorization_code', 'refresh_token'], response_types: ['code'], token_endpoint_auth_method: 'none', ...metadata }
  }

  get redirectUrl () { return REDIRECT_URI }
  get clientMetadata () { return this.#metadata }
  clientInformation () { return this.client }
  saveClientInformation (client: OAuthClientInformationMixed) { this.client = client }
  tokens () { return this.saved }
  saveTokens (tokens: OAuthTokens) { this.saved = tokens }
  redirectToAuthorization (url: URL) { this.authorizationUrl = url }
  saveCodeVerifier (verifier: string) { this.verifier = verifier }
  codeVerifier () { return this.verifier }
}

/** The consent page's form: its sealed request and the cookie that goes with it. */
export async function openConsentPage (authorizationUrl: string | URL): Promise<{ status: number, html: string, request: string | undefined, cookie: string | undefined, headers: Headers }> {
  const response = await fetch(authorizationUrl, { redirect: 'manual' })
  const html = await response.text()
  const request = /name="request" value="([^"]+)"/.exec(html)?.[1]
  const cookie = response.headers.get('set-cookie')?.split(';', 1)[0]
  return { status: response.status, html, request, cookie, headers: response.headers }
}

/** Posts the consent form as a browser would (same origin, with its cookie); answers the raw response. */
export async function postConsent (authorizationUrl: string | URL, form: Record<string, string>, cookie: string | undefined): Promise<Response> {
  const action = new URL('authorize', authorizationUrl)
  return await fetch(action, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'sec-fetch-site': 'same-origin', ...(cookie !== undefined ? { cookie } : {}) },
    body: new URLSearchParams(form).toString()
  })
}

/** Walks the consent page with a credential; answers the redirect's query (code, state, iss or error). */
export async function consent (authorizationUrl: string | URL, credential: string, options: { write?: boolean } = {}): Promise<URLSearchParams> {
  const page = await openConsentPage(authorizationUrl)
  if (page.request === undefined) throw new Error(`no consent form (HTTP ${page.status}): ${page.html.slice(0, 300)}`)
  const form: Record<string, string> = { request: page.request, credential, action: 'allow' }
  if (options.write !== false) form.write = 'on'
  const answer = await postConsent(authorizationUrl, form, page.cookie)
  const location = answer.headers.get('location')
  if (answer.status !== 303 || location === null) throw new Error(`consent answered HTTP ${answer.status}: ${(await answer.text()).slice(0, 300)}`)
  return new URL(location).searchParams
}

export function pkce (): { verifier: string, challenge: string } {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

/** A form POST to /mcp/oauth/token. */
export async function tokenRequest (baseUrl: string, form: Record<string, string>): Promise<{ status: number, body: Record<string, unknown>, headers: Headers }> {
  const response = await fetch(`${baseUrl}/mcp/oauth/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form).toString() })
  return { status: response.status, body: await response.json() as Record<string, unknown>, headers: response.headers }
}

/** Registers a client by DCR; answers its client_id. */
export async function registerClient (baseUrl: string, metadata: Record<string, unknown> = { client_name: 'test host', redirect_uris: [REDIRECT_URI] }): Promise<string> {
  const response = await fetch(`${baseUrl}/mcp/oauth/register`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(metadata) })
  const body = await response.json() as { client_id?: string }
  if (response.status !== 201 || body.client_id === undefined) throw new Error(`registration answered ${response.status}: ${JSON.stringify(body)}`)
  return body.client_id
}

/** One origin in front of several replicas, taking turns per request (as a load balancer does). */
export async function roundRobin (t: Test, targets: string[]): Promise<{ url: string, served: number[] }> {
  let next = 0
  const served = targets.map(() => 0)
  const server: Server = createServer((req, res) => {
    const index = next++ % targets.length
    served[index]!++
    const target = new URL(targets[index]!)
    const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      answer.pipe(res)
    })
    upstream.on('error', () => { res.writeHead(502).end() })
    req.pipe(upstream)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, served }
}
