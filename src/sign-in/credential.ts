import { z } from 'zod'
import { registryRequest } from '../platform/registry-http.js'
import { API_KEY_PREFIX } from '../auth/api-keys.js'
import { OAuthError } from './oauth-error.js'

/**
 * The registry credential a sign-in carries, sealed inside codes and tokens: a session from the
 * catalog's one-time login code (renewed with its refresh token, as quilt3 does), or a Quilt API key.
 */
export type RegistrySession =
  | { kind: 'login', accessToken: string, refreshToken: string, expiresAt: number }
  | { kind: 'key', key: string }

export const RegistrySessionSchema = z.union([
  z.object({ kind: z.literal('login'), accessToken: z.string().min(1), refreshToken: z.string().min(1), expiresAt: z.number() }),
  z.object({ kind: z.literal('key'), key: z.string().min(1) })
])

/** Who signed in, as the registry's `me` names them (for logs and rate limits, never for access). */
export interface SignedIn {
  session: RegistrySession
  sub: string
}

const REGISTRY_TIMEOUT_MS = 10_000

const TokenAnswerSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_at: z.number()
})

const MeAnswerSchema = z.object({ data: z.object({ me: z.object({ name: z.string(), email: z.string().optional() }) }) })

/** A wrong credential, shown on the consent page or answered invalid_grant at /token. */
export class CredentialRefused extends Error {}

function unreachable (registryUrl: string): OAuthError {
  return new OAuthError('temporarily_unavailable', `The Quilt registry (${new URL(registryUrl).host}) did not answer; try again shortly.`)
}

/**
 * One POST to the stack's registry (undici, no redirects followed): its JSON body, and whether it said
 * yes. A network failure, a redirect or a 5xx means the registry cannot be asked now (503), never "refused".
 */
async function askRegistry (registryUrl: string, path: string, headers: Record<string, string>, body: string): Promise<{ ok: boolean, body: unknown }> {
  let answer
  try {
    answer = await registryRequest(`${registryUrl}${path}`, { method: 'POST', headers: { accept: 'application/json', ...headers }, body, signal: AbortSignal.timeout(REGISTRY_TIMEOUT_MS) })
  } catch {
    throw unreachable(registryUrl)
  }
  if (answer.status >= 500 || (answer.status >= 300 && answer.status < 400)) throw unreachable(registryUrl)
  let json: unknown
  try {
    json = JSON.parse(answer.body)
  } catch {
    json = undefined
  }
  return { ok: answer.status < 300, body: json }
}

/**
 * quilt3's exchange: `POST <registry>/api/token` with form `refresh_token=<code or refresh token>`
 * answers `{access_token, refresh_token, expires_at}`; a one-time login code and a refresh token are
 * redeemed the same way. Throws CredentialRefused when the registry refuses it.
 */
export async function redeemWithRegistry (registryUrl: string, refreshToken: string): Promise<RegistrySession & { kind: 'login' }> {
  const answer = await askRegistry(registryUrl, '/api/token', { 'content-type': 'application/x-www-form-urlencoded' }, new URLSearchParams({ refresh_token: refreshToken }).toString())
  const parsed = TokenAnswerSchema.safeParse(answer.body)
  if (!answer.ok || !parsed.success) throw new CredentialRefused('The registry refused this code: it is wrong, expired or already used. Get a new one from the catalog\'s /code page.')
  return { kind: 'login', accessToken: parsed.data.access_token, refreshToken: parsed.data.refresh_token, expiresAt: parsed.data.expires_at }
}

/**
 * Who a registry bearer (a session or a `qk_` API key) belongs to: the registry's `me`. Throws
 * CredentialRefused when the registry does not accept it. The API-key work may replace this with its
 * cached check (one `me` per key per minute); the contract is the same.
 */
export async function whoAmI (registryUrl: string, bearer: string): Promise<string> {
  const answer = await askRegistry(registryUrl, '/graphql', { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
    JSON.stringify({ query: 'query SignInWhoAmI { me { name email } }', operationName: 'SignInWhoAmI' }))
  const parsed = MeAnswerSchema.safeParse(answer.body)
  if (!answer.ok || !parsed.success) throw new CredentialRefused('The registry refused this API key: it is wrong, expired or revoked.')
  return parsed.data.data.me.name
}

/** API keys are `qk_...`; anything else typed on the consent page is a login code. */
const isApiKey = (credential: string) => credential.startsWith(API_KEY_PREFIX)

/** Checks what the user typed on the consent page and returns the session it opens. */
export async function signInWith (registryUrl: string, credential: string): Promise<SignedIn> {
  if (isApiKey(credential)) return { session: { kind: 'key', key: credential }, sub: await whoAmI(registryUrl, credential) }
  const session = await redeemWithRegistry(registryUrl, credential)
  return { session, sub: await whoAmI(registryUrl, session.accessToken) }
}

/** The bearer the registry takes for this session. */
export const registryBearer = (session: RegistrySession) => session.kind === 'key' ? session.key : session.accessToken
