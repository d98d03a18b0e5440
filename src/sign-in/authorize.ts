import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import type { FailedCheckLimit } from '../auth/failed-checks.js'
import { GatewayError } from '../http/errors.js'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { clientAddress } from '../auth/client-address.js'
import { z } from 'zod'
import { redirectAllowed, type Client, type Clients } from './clients.js'
import { sendConsentPage, sendErrorPage } from './consent-page.js'
import { CredentialRefused, signInWith } from './credential.js'
import { OAuthError } from './oauth-error.js'
import { askedScopes, canWrite, type Scope } from './scopes.js'
import { OAUTH_PREFIX, type SignInStack } from './stack-context.js'

/** How long the consent page may stay open, and how long its code lives after it is posted. */
const CONSENT_LIFETIME_SECONDS = 10 * 60
export const CODE_LIFETIME_SECONDS = 120
const COOKIE_PREFIX = 'quilt_mcp_signin_'

const text = z.string().max(4096).optional()
const AuthorizeQuerySchema = z.object({
  response_type: text,
  client_id: text,
  redirect_uri: text,
  code_challenge: text,
  code_challenge_method: text,
  state: text,
  scope: text,
  resource: text
})

/** What the consent form carries back, sealed (the client cannot change it between page and post). */
const ConsentSchema = z.object({
  c: z.string(),
  r: z.string(),
  ch: z.string(),
  s: z.string().optional(),
  sc: z.array(z.enum(['quilt:read', 'quilt:write'])),
  res: z.string().optional(),
  n: z.string()
})
type Consent = z.infer<typeof ConsentSchema>

const ConsentFormSchema = z.object({
  request: z.string().max(16_384).optional(),
  credential: z.string().max(4096).optional(),
  write: z.string().optional(),
  action: z.string().optional()
})

const PKCE_CHALLENGE = /^[A-Za-z0-9_-]{43}$/

function redirectWith (reply: FastifyReply, redirectUri: string, params: Record<string, string | undefined>, issuer: string): FastifyReply {
  const url = new URL(redirectUri)
  for (const [name, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(name, value)
  // RFC 9207: the issuer travels with the answer, so a client talking to several servers cannot be mixed up.
  url.searchParams.set('iss', issuer)
  return reply.code(303).header('cache-control', 'no-store').redirect(url.href, 303)
}

function cookies (request: FastifyRequest): Map<string, string> {
  const found = new Map<string, string>()
  for (const part of (request.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0) found.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim())
  }
  return found
}

const sameText = (a: string, b: string) => a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b))

export function authorizeRoutes (deps: { clients: Clients, failures: FailedCheckLimit, stackOf: (request: FastifyRequest) => SignInStack }) {
  const view = (stack: SignInStack, client: Client, consent: Consent, sealed: string, extra: { error?: string, writeChecked?: boolean } = {}) => ({
    clientName: client.name ?? new URL(consent.r).host,
    redirectHost: new URL(consent.r).host || consent.r,
    registryHost: new URL(stack.served.stack.registryUrl).host,
    codePageUrl: stack.served.stack.catalogUrl !== undefined ? `${stack.served.stack.catalogUrl}/code` : undefined,
    request: sealed,
    writeAsked: canWrite(consent.sc),
    writeChecked: extra.writeChecked ?? true,
    error: extra.error
  })

  async function show (request: FastifyRequest, reply: FastifyReply) {
    const stack = deps.stackOf(request)
    const query = AuthorizeQuerySchema.safeParse(request.query)
    if (!query.success) return sendErrorPage(reply, 'The sign-in request is malformed (a parameter is repeated or too long).')
    const q = query.data
    if (q.client_id === undefined || q.client_id === '') return sendErrorPage(reply, 'The sign-in request names no client (client_id).')
    let client: Client
    try {
      client = await deps.clients.find(stack.sealer, q.client_id)
    } catch (err) {
      if (err instanceof OAuthError) return sendErrorPage(reply, err.message, err.statusCode === 503 ? 503 : 400)
      throw err
    }
    const redirectUri = q.redirect_uri ?? (client.redirectUris.length === 1 ? client.redirectUris[0] : undefined)
    if (redirectUri === undefined || !redirectAllowed(client, redirectUri)) {
      return sendErrorPage(reply, 'The redirect_uri of this sign-in is not one the client registered, so the sign-in cannot go on.')
    }
    // From here on, problems go back to the client, as RFC 6749 §4.1.2.1 says.
    const refuse = (error: string, description: string) => redirectWith(reply, redirectUri, { error, error_description: description, state: q.state }, stack.issuer)
    if (q.response_type !== 'code') return refuse('unsupported_response_type', 'response_type must be code')
    if (q.code_challenge === undefined || q.code_challenge_method === undefined) return refuse('invalid_request', 'PKCE is required: send code_challenge with code_challenge_method=S256')
    if (q.code_challenge_method !== 'S256') return refuse('invalid_request', 'code_challenge_method must be S256 (plain is not accepted)')
    if (!PKCE_CHALLENGE.test(q.code_challenge)) return refuse('invalid_request', 'code_challenge must be the base64url SHA-256 of the code verifier (43 characters)')
    if (q.resource !== undefined && !stack.resources.includes(q.resource)) return refuse('invalid_target', `resource must be one of ${stack.resources.join(', ')}`)
    const nonce = randomBytes(16).toString('base64url')
    const consent: Consent = { c: client.clientId, r: redirectUri, ch: q.code_challenge, s: q.state, sc: askedScopes(q.scope), res: q.resource, n: nonce }
    const sealed = await stack.sealer.seal('consent', consent, CONSENT_LIFETIME_SECONDS)
    // Double-submit: the form's sealed request names a nonce that only this browser holds as a
    // SameSite=Strict cookie, so a post from another site (login CSRF) is refused. One cookie per
    // sign-in, so two sign-ins in two tabs do not trip over each other.
    const secure = stack.issuer.startsWith('https:') ? '; Secure' : ''
    reply.header('set-cookie', `${COOKIE_PREFIX}${nonce.slice(0, 10)}=${nonce}; Path=${OAUTH_PREFIX}; Max-Age=${CONSENT_LIFETIME_SECONDS}; HttpOnly; SameSite=Strict${secure}`)
    return sendConsentPage(reply, view(stack, client, consent, sealed))
  }

  async function decide (request: FastifyRequest, reply: FastifyReply) {
    const stack = deps.stackOf(request)
    const form = ConsentFormSchema.safeParse(request.body)
    if (!form.success || form.data.request === undefined) return sendErrorPage(reply, 'The sign-in form is incomplete.')
    const consent = ConsentSchema.safeParse(await stack.sealer.open('consent', form.data.request))
    if (!consent.success) return sendErrorPage(reply, 'This sign-in page has expired or was not issued here; start the sign-in again from your app.')
    const c = consent.data
    const nonce = cookies(request).get(`${COOKIE_PREFIX}${c.n.slice(0, 10)}`)
    const site = request.headers['sec-fetch-site']
    if (nonce === undefined || !sameText(nonce, c.n) || (site !== undefined && site !== 'same-origin' && site !== 'none')) {
      return sendErrorPage(reply, 'This form was not posted from its own sign-in page (or cookies are blocked); start the sign-in again from your app.', 403)
    }
    let client: Client
    try {
      client = await deps.clients.find(stack.sealer, c.c)
    } catch (err) {
      if (err instanceof OAuthError) return sendErrorPage(reply, err.message, err.statusCode === 503 ? 503 : 400)
      throw err
    }
    if (form.data.action === 'deny') return redirectWith(reply, c.r, { error: 'access_denied', error_description: 'The user cancelled the sign-in.', state: c.s }, stack.issuer)
    const writeChecked = form.data.write === 'on'
    const again = (error: string, status: number) => sendConsentPage(reply, view(stack, client, c, form.data.request!, { error, writeChecked }), status)
    const credential = form.data.credential?.trim() ?? ''
    if (credential === '') return again('Paste the login code from the catalog\'s code page, or an API key.', 400)
    const address = clientAddress(request)
    try {
      await deps.failures.admit(address)
    } catch (err) {
      if (err instanceof GatewayError) return again('Too many wrong codes from this address; wait a minute and try again.', 429)
      throw err
    }
    let signedIn
    try {
      signedIn = await signInWith(stack.served.stack.registryUrl, credential)
    } catch (err) {
      if (err instanceof CredentialRefused) {
        await deps.failures.recordFailure(address)
        request.log.info({ stack: stack.served.stack.name }, 'sign-in refused: wrong login code or API key')
        return again(err.message, 400)
      }
      if (err instanceof OAuthError) return again(err.message, err.statusCode)
      throw err
    }
    const scopes: Scope[] = canWrite(c.sc) && writeChecked ? ['quilt:read', 'quilt:write'] : ['quilt:read']
    const code = await stack.sealer.seal('code', {
      jti: randomBytes(16).toString('base64url'), c: c.c, r: c.r, ch: c.ch, sc: scopes, res: c.res, sub: signedIn.sub, sess: signedIn.session
    }, CODE_LIFETIME_SECONDS)
    request.log.info({ stack: stack.served.stack.name, sub: signedIn.sub, scopes, via: signedIn.session.kind }, 'sign-in allowed')
    reply.header('set-cookie', `${COOKIE_PREFIX}${c.n.slice(0, 10)}=; Path=${OAUTH_PREFIX}; Max-Age=0; HttpOnly; SameSite=Strict`)
    return redirectWith(reply, c.r, { code, state: c.s }, stack.issuer)
  }

  return { show, decide }
}

/** RFC 7636 S256: BASE64URL(SHA256(verifier)) compared with the challenge. */
export function pkceMatches (verifier: string, challenge: string): boolean {
  if (!/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return false
  return sameText(createHash('sha256').update(verifier).digest('base64url'), challenge)
}
