import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload, type RemoteJWKSet } from 'jose'
import { z } from 'zod'
import { GatewayError, type ErrorReason } from '../http/errors.js'
import { isLoopbackHost } from '../registry-address.js'
import { tenantFromStackBearer, type Tenant } from '../platform/tenant.js'
import type { Stack } from '../config/stacks.js'

/** Connect's signatures: asymmetric only, so no shared secret can forge one (HS256 and `none` refused). */
const CONNECT_ALGORITHMS = ['RS256', 'ES256']
/** An unknown `kid` fetches the JWKS again at most this often (a new key, or someone else's). */
const UNKNOWN_KID_COOLDOWN_MS = 60_000
/** Fetches of Connect's metadata and keys are on a request's path: bounded. */
const FETCH_TIMEOUT_MS = 5_000
/** After a failed fetch, requests are answered 503 this long instead of each waiting for Connect. */
const RETRY_AFTER_FAILURE_MS = 5_000
/** Connect's metadata is re-read this often, in case its jwks_uri moved. */
const METADATA_TTL_MS = 3_600_000
const CLOCK_SKEW_SECONDS = 30

const MetadataSchema = z.object({ issuer: z.string().min(1), jwks_uri: z.string().min(1) })

/** An issuer compared as RFC 3986 does: lower-case scheme and host, the default port dropped, no trailing slash. */
export function sameIssuer (a: string, b: string): boolean {
  if (!URL.canParse(a) || !URL.canParse(b)) return false
  const norm = (value: string) => { const url = new URL(value); return `${url.origin}${url.pathname.replace(/\/+$/, '')}` }
  return norm(a) === norm(b)
}

/** RFC 8414 §3: the well-known segment goes between the origin and the issuer's path. */
function metadataUrl (issuer: string): URL {
  const url = new URL(issuer)
  return new URL(`${url.origin}/.well-known/oauth-authorization-server${url.pathname.replace(/\/+$/, '')}`)
}

class ConnectUnavailable extends Error {}

interface Discovered {
  /** The metadata's own `issuer`, as Connect writes it. */
  issuer: string
  jwks: RemoteJWKSet
  jwksUri: string
  at: number
}

const isFetchFailure = (err: unknown) => err instanceof joseErrors.JWKSTimeout || err instanceof joseErrors.JWKSInvalid || err instanceof TypeError ||
  (err instanceof joseErrors.JOSEError && err.code === 'ERR_JOSE_GENERIC')

function unavailable (): GatewayError {
  return new GatewayError('connect_unavailable', { headers: { 'retry-after': String(RETRY_AFTER_FAILURE_MS / 1000) } })
}

function refusal (err: unknown): GatewayError {
  const reason = (r: ErrorReason, message?: string) => new GatewayError(r, { message })
  if (err instanceof joseErrors.JWTExpired) return reason('token_expired', 'The Quilt Connect token has expired; sign in again.')
  if (err instanceof joseErrors.JWTClaimValidationFailed) {
    if (err.claim === 'iss') return reason('invalid_issuer', 'The token was not issued by this stack\'s Quilt Connect.')
    if (err.claim === 'aud') return reason('invalid_audience', 'The token\'s audience is not this stack\'s Quilt Connect MCP resource (<connect origin>/mcp/platform).')
    if (err.claim === 'exp') return reason('missing_expiry', 'The Quilt Connect token has no "exp" claim; it must expire.')
    if (err.claim === 'nbf' || err.claim === 'iat') return reason('token_not_yet_valid')
    return reason('malformed_token', `The Quilt Connect token's "${err.claim}" claim is invalid.`)
  }
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return reason('unsupported_algorithm', `Quilt Connect tokens must be signed with ${CONNECT_ALGORITHMS.join(' or ')}.`)
  if (err instanceof joseErrors.JWKSNoMatchingKey) return reason('invalid_signature', 'The token is signed with a key Quilt Connect does not publish.')
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return reason('invalid_signature', 'The Quilt Connect token signature is invalid.')
  return reason('malformed_token', 'The bearer token is not a well-formed Quilt Connect token.')
}

/** An http(s) URL the gateway may fetch for Connect: https, or plain http on loopback only (tests, the demo). */
function fetchableUrl (value: string): URL | undefined {
  if (!URL.canParse(value)) return undefined
  const url = new URL(value)
  return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname)) ? url : undefined
}

export interface ConnectVerifierOptions {
  /** Called once per JWKS or metadata fetch that failed, for the log. */
  onFetchFailure: (what: string, err: unknown) => void
  /** UNKNOWN_KID_COOLDOWN_MS by default (tests shorten it). */
  unknownKidCooldownMs?: number
}

/**
 * Verifies one stack's Quilt Connect access tokens: Connect's RFC 8414 metadata gives its issuer and
 * jwks_uri, the JWKS (cached by jose) its keys; `iss` must be that issuer, `aud` the Connect MCP
 * resource, `exp` present and not past. The token then goes to the stack's registry as the user's
 * credential. Fetch failures answer 503 (never 500, never a hang): the token may be fine.
 */
export class ConnectVerifier {
  readonly #stack: Stack
  readonly #issuer: string
  readonly #audience: string
  readonly #options: ConnectVerifierOptions
  #discovered: Discovered | undefined
  #discovering: Promise<void> | undefined
  #failedAt = 0

  constructor (stack: Stack & { connectUrl: string }, options: ConnectVerifierOptions) {
    this.#stack = stack
    this.#issuer = stack.connectUrl
    // Connect's one resource; its host without the port Connect spells out elsewhere.
    this.#audience = `${new URL(stack.connectUrl).origin}/mcp/platform`
    this.#options = options
  }

  get issuer (): string {
    return this.#issuer
  }

  async tenantFor (token: string): Promise<Tenant> {
    const keys = await this.#keys()
    // Connect down and no keys yet: answered without another attempt until the pause is over.
    if (keys.jwks.jwks() === undefined && Date.now() - this.#failedAt < RETRY_AFTER_FAILURE_MS) throw unavailable()
    let payload: JWTPayload
    try {
      ({ payload } = await jwtVerify(token, keys.jwks, {
        algorithms: CONNECT_ALGORITHMS,
        audience: this.#audience,
        requiredClaims: ['exp'],
        clockTolerance: CLOCK_SKEW_SECONDS
      }))
    } catch (err) {
      if (isFetchFailure(err)) {
        this.#options.onFetchFailure('JWKS', err)
        this.#failedAt = Date.now()
        throw unavailable()
      }
      throw refusal(err)
    }
    // Compared as RFC 3986 does: Connect spells out :443 in some places and not in others.
    if (typeof payload.iss !== 'string' || !sameIssuer(payload.iss, keys.issuer)) throw refusal(new joseErrors.JWTClaimValidationFailed('unexpected "iss" claim value', payload, 'iss', 'check_failed'))
    return tenantFromStackBearer(token, this.#stack, { kind: 'connect', sub: payload.sub, expiresAt: payload.exp! })
  }

  async #keys (): Promise<Discovered> {
    const now = Date.now()
    const current = this.#discovered
    if (current !== undefined && now - current.at < METADATA_TTL_MS) return current
    if (now - this.#failedAt < RETRY_AFTER_FAILURE_MS) {
      if (current !== undefined) return current
      throw unavailable()
    }
    this.#discovering ??= this.#discover().finally(() => { this.#discovering = undefined })
    try {
      await this.#discovering
    } catch (err) {
      this.#failedAt = Date.now()
      this.#options.onFetchFailure('metadata', err)
      // Stale keys beat none: Connect's metadata rarely changes, its keys are checked by jose anyway.
      if (current !== undefined) return current
      throw unavailable()
    }
    return this.#discovered!
  }

  async #discover (): Promise<void> {
    // Redirects are not followed (as jose does for the JWKS): the issuer's own host answers, or nobody.
    const response = await fetch(metadataUrl(this.#issuer), { signal: AbortSignal.timeout(FETCH_TIMEOUT_MS), redirect: 'manual', headers: { accept: 'application/json' } })
    if (response.status !== 200) throw new ConnectUnavailable(`metadata answered HTTP ${response.status}`)
    const metadata = MetadataSchema.safeParse(await response.json())
    if (!metadata.success) throw new ConnectUnavailable('metadata lacks issuer or jwks_uri')
    const { issuer, jwks_uri: jwksUri } = metadata.data
    if (!sameIssuer(issuer, this.#issuer)) throw new ConnectUnavailable(`metadata names issuer ${issuer}, not ${this.#issuer}`)
    const jwksUrl = fetchableUrl(jwksUri)
    if (jwksUrl === undefined) throw new ConnectUnavailable('jwks_uri must be https (plain http on loopback only)')
    const previous = this.#discovered
    // The same key set keeps its cache (and its cooldown) across metadata refreshes.
    const jwks = previous !== undefined && previous.jwksUri === jwksUrl.href
      ? previous.jwks
      : createRemoteJWKSet(jwksUrl, { timeoutDuration: FETCH_TIMEOUT_MS, cooldownDuration: this.#options.unknownKidCooldownMs ?? UNKNOWN_KID_COOLDOWN_MS })
    this.#discovered = { issuer, jwks, jwksUri: jwksUrl.href, at: Date.now() }
  }
}
