import { randomBytes } from 'node:crypto'
import type { FastifyReply, FastifyRequest } from 'fastify'
import { z } from 'zod'
import { CODE_LIFETIME_SECONDS, pkceMatches } from './authorize.js'
import { CredentialRefused, redeemWithRegistry, registryBearer, RegistrySessionSchema, whoAmI, type RegistrySession } from './credential.js'
import { OAuthError } from './oauth-error.js'
import { narrowed, SCOPES, type Scope } from './scopes.js'
import type { SingleUse } from './single-use.js'
import type { SignInStack } from './stack-context.js'

/** Access tokens are short-lived; refresh tokens last a month (rotated on every use). */
const ACCESS_LIFETIME_SECONDS = 3600
const REFRESH_LIFETIME_SECONDS = 30 * 24 * 3600
/** Two refreshes of one token this close together (a host's concurrent requests) both succeed. */
const REFRESH_GRACE_MS = 30_000
/** The registry session is renewed only this close to its end, so concurrent refreshes rarely both renew it. */
const RENEW_BEFORE_SECONDS = 300

const field = z.string().max(16_384).optional()
const TokenFormSchema = z.object({
  grant_type: field,
  code: field,
  redirect_uri: field,
  code_verifier: field,
  client_id: field,
  refresh_token: field,
  resource: field,
  scope: field
})

const ScopesSchema = z.array(z.enum(SCOPES)).min(1)
const CodeSchema = z.object({ jti: z.string(), c: z.string(), r: z.string(), ch: z.string(), sc: ScopesSchema, res: z.string().optional(), sub: z.string(), sess: RegistrySessionSchema })
const RefreshSchema = z.object({ jti: z.string(), c: z.string(), sc: ScopesSchema, sub: z.string(), sess: RegistrySessionSchema, exp: z.number() })
/** What an access token carries: the registry bearer (sealed: the client never reads it), who, and what it may do. */
export const AccessSchema = z.object({ iss: z.string(), aud: z.array(z.string()), sub: z.string(), sc: ScopesSchema, reg: z.string(), exp: z.number(), cid: z.string() })

const invalidGrant = (description: string) => new OAuthError('invalid_grant', description)

async function issueTokens (stack: SignInStack, grant: { clientId: string, scopes: Scope[], sub: string, session: RegistrySession, refreshExpiresAt: number }) {
  const now = Math.floor(Date.now() / 1000)
  // Never outlive the registry session inside: past it the registry would refuse every call anyway.
  const accessLifetime = grant.session.kind === 'login' ? Math.min(ACCESS_LIFETIME_SECONDS, grant.session.expiresAt - now) : ACCESS_LIFETIME_SECONDS
  if (accessLifetime < 1) throw invalidGrant('The Quilt session has ended; sign in again.')
  const accessToken = await stack.sealer.seal('access', { iss: stack.issuer, aud: stack.resources, sub: grant.sub, sc: grant.scopes, reg: registryBearer(grant.session), cid: grant.clientId }, accessLifetime)
  const refreshToken = await stack.sealer.seal('refresh', { jti: randomBytes(16).toString('base64url'), c: grant.clientId, sc: grant.scopes, sub: grant.sub, sess: grant.session }, grant.refreshExpiresAt - now)
  return { access_token: accessToken, token_type: 'Bearer', expires_in: accessLifetime, refresh_token: refreshToken, scope: grant.scopes.join(' ') }
}

export function tokenRoute (deps: { used: SingleUse, stackOf: (request: FastifyRequest) => SignInStack }) {
  async function byCode (stack: SignInStack, form: z.infer<typeof TokenFormSchema>) {
    if (form.code === undefined) throw new OAuthError('invalid_request', 'code is required')
    if (form.code_verifier === undefined) throw new OAuthError('invalid_request', 'code_verifier is required (PKCE S256)')
    const code = CodeSchema.safeParse(await stack.sealer.open('code', form.code))
    if (!code.success) throw invalidGrant('The code is invalid or expired.')
    const c = code.data
    if (form.client_id !== undefined && form.client_id !== c.c) throw invalidGrant('The code was issued to another client.')
    if (form.redirect_uri !== c.r) throw invalidGrant('redirect_uri must be exactly the one of the authorization request.')
    if (!pkceMatches(form.code_verifier, c.ch)) throw invalidGrant('The code_verifier does not match the code_challenge.')
    if (form.resource !== undefined && !stack.resources.includes(form.resource)) throw new OAuthError('invalid_target', `resource must be one of ${stack.resources.join(', ')}`)
    if (await deps.used.claim(`code:${c.jti}`, CODE_LIFETIME_SECONDS * 1000 + 10_000) !== null) throw invalidGrant('The code was already used.')
    return await issueTokens(stack, { clientId: c.c, scopes: c.sc, sub: c.sub, session: c.sess, refreshExpiresAt: Math.floor(Date.now() / 1000) + REFRESH_LIFETIME_SECONDS })
  }

  async function byRefresh (stack: SignInStack, form: z.infer<typeof TokenFormSchema>) {
    if (form.refresh_token === undefined) throw new OAuthError('invalid_request', 'refresh_token is required')
    const refresh = RefreshSchema.safeParse(await stack.sealer.open('refresh', form.refresh_token))
    if (!refresh.success) throw invalidGrant('The refresh token is invalid or expired; sign in again.')
    const r = refresh.data
    if (form.client_id !== undefined && form.client_id !== r.c) throw invalidGrant('The refresh token was issued to another client.')
    const scopes = narrowed(r.sc, form.scope)
    if (scopes.length === 0) throw new OAuthError('invalid_scope', 'A refresh may only narrow the granted scopes.')
    const usedAgo = await deps.used.claim(`refresh:${r.jti}`, Math.max(1, r.exp * 1000 - Date.now()) + 10_000)
    if (usedAgo !== null && usedAgo > REFRESH_GRACE_MS) throw invalidGrant('The refresh token was already used; sign in again.')
    let session = r.sess
    const registryUrl = stack.served.stack.registryUrl
    try {
      if (session.kind === 'key') await whoAmI(registryUrl, session.key)
      else if (session.expiresAt - Date.now() / 1000 < RENEW_BEFORE_SECONDS) session = await redeemWithRegistry(registryUrl, session.refreshToken)
    } catch (err) {
      if (err instanceof CredentialRefused) throw invalidGrant(session.kind === 'key' ? 'The Quilt API key of this sign-in was revoked or has expired; sign in again.' : 'The Quilt session has ended; sign in again.')
      throw err
    }
    return await issueTokens(stack, { clientId: r.c, scopes, sub: r.sub, session, refreshExpiresAt: r.exp })
  }

  return async function token (request: FastifyRequest, reply: FastifyReply) {
    const stack = deps.stackOf(request)
    const form = TokenFormSchema.safeParse(request.body ?? {})
    if (!form.success) throw new OAuthError('invalid_request', 'The token request must be a form (application/x-www-form-urlencoded) naming each parameter once.')
    const grant = form.data.grant_type
    let answer
    if (grant === 'authorization_code') answer = await byCode(stack, form.data)
    else if (grant === 'refresh_token') answer = await byRefresh(stack, form.data)
    else throw new OAuthError(grant === undefined ? 'invalid_request' : 'unsupported_grant_type', grant === undefined ? 'grant_type is required' : 'grant_type must be authorization_code or refresh_token')
    return reply.header('cache-control', 'no-store').header('pragma', 'no-cache').send(answer)
  }
}
