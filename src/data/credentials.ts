import { LRUCache } from 'lru-cache'
import { z } from 'zod'
import { registryRequest, type RegistryResponse } from '../platform/registry-http.js'
import type { Tenant } from '../platform/tenant.js'
import { registerSecret } from '../telemetry/log-secrets.js'
import { DataCancelledError, DataCredentialsError, DataUnavailableError, isAbortError } from './errors.js'

/** Temporary AWS credentials for one caller's role, as the AWS SDK takes them. Never logged, never returned. */
export interface AwsCredentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken: string
  expiration: Date
}

/** What `GET <registry>/api/auth/get_credentials` answers (the catalog and quilt3 read the same). */
const CredentialsResponse = z.object({
  AccessKeyId: z.string().min(1),
  SecretAccessKey: z.string().min(1),
  SessionToken: z.string().min(1),
  Expiration: z.union([z.string(), z.number()]).transform((value, ctx) => {
    const date = new Date(value)
    if (Number.isNaN(date.getTime())) ctx.addIssue({ code: 'custom', message: 'Expiration is not a date' })
    return date
  })
})

/** Fresh credentials are fetched this long before they expire, so no call starts with nearly dead ones. */
const REFRESH_MARGIN_MS = 5 * 60_000

/**
 * Credentials are re-validated with the registry (fetched again with the caller's bearer) at least
 * this often: STS credentials outlive the catalog session they were issued for, so this bounds how
 * long a revoked token keeps reading data and signing links when no registry call notices it sooner.
 */
export const MAX_CREDENTIALS_AGE_MS = 5 * 60_000

/** How long credentials may be served from the cache: until the margin, or half their life if shorter, and never past the maximum age. */
export function cacheTtlMs (expiration: Date, now = Date.now()): number {
  const left = expiration.getTime() - now
  return Math.min(MAX_CREDENTIALS_AGE_MS, left > 2 * REFRESH_MARGIN_MS ? left - REFRESH_MARGIN_MS : Math.floor(left / 2))
}

export interface CredentialsOptions {
  timeoutMs: number
  /** Callers (user and stack) whose credentials are kept; the least recently used are dropped. */
  max?: number
  /** The clock, in milliseconds (tests). */
  now?: () => number
}

interface CachedCredentials {
  credentials: AwsCredentials
  /** When they must be fetched again (see cacheTtlMs). */
  until: number
}

/**
 * Each caller's temporary AWS credentials, fetched from their registry with their own bearer. One
 * fetch at a time per caller (concurrent tool calls share it), cached per tenant key (registry and
 * catalog token, so per user and stack) until shortly before they expire or for MAX_CREDENTIALS_AGE_MS,
 * whichever comes first, and dropped as soon as the registry refuses the caller's token.
 */
export class CredentialsCache {
  readonly #cache: LRUCache<string, CachedCredentials>
  readonly #inFlight = new Map<string, Promise<AwsCredentials>>()
  readonly #timeoutMs: number
  readonly #now: () => number

  constructor (options: CredentialsOptions) {
    this.#timeoutMs = options.timeoutMs
    this.#cache = new LRUCache({ max: options.max ?? 10_000 })
    this.#now = options.now ?? Date.now
  }

  /** The caller's credentials; their secret parts are kept out of the current request's log lines. */
  async get (tenant: Tenant, signal?: AbortSignal): Promise<AwsCredentials> {
    const credentials = await this.#lookup(tenant, signal)
    registerSecret(credentials.secretAccessKey)
    registerSecret(credentials.sessionToken)
    return credentials
  }

  async #lookup (tenant: Tenant, signal?: AbortSignal): Promise<AwsCredentials> {
    const cached = this.#cache.get(tenant.key)
    if (cached !== undefined && cached.until > this.#now()) return cached.credentials
    let pending = this.#inFlight.get(tenant.key)
    if (pending === undefined) {
      // Not tied to this caller's signal: a concurrent call of the same user shares the fetch.
      pending = this.#fetch(tenant).finally(() => { this.#inFlight.delete(tenant.key) })
      this.#inFlight.set(tenant.key, pending)
    }
    if (signal === undefined) return pending
    signal.throwIfAborted()
    return Promise.race([pending, new Promise<never>((_resolve, reject) => {
      signal.addEventListener('abort', () => { reject(new DataCancelledError('The request was cancelled because the client went away.')) }, { once: true })
    })])
  }

  /** Drops the cached credentials if they are still the ones AWS just rejected (a fresher set is kept). */
  invalidate (tenant: Tenant, rejected: AwsCredentials): void {
    if (this.#cache.get(tenant.key)?.credentials.accessKeyId === rejected.accessKeyId) this.#cache.delete(tenant.key)
  }

  /** Drops the caller's credentials: the registry refused their token (revoked, expired, signed out). */
  forget (tenant: Pick<Tenant, 'key'>): void {
    this.#cache.delete(tenant.key)
  }

  get size (): number {
    return this.#cache.size
  }

  async #fetch (tenant: Tenant): Promise<AwsCredentials> {
    let response: RegistryResponse
    try {
      response = await registryRequest(`${tenant.registryUrl}/api/auth/get_credentials`, {
        method: 'GET',
        headers: { authorization: `Bearer ${tenant.catalogToken}`, accept: 'application/json' },
        signal: AbortSignal.timeout(this.#timeoutMs)
      })
    } catch (err) {
      if (isAbortError(err) || (err instanceof Error && err.name === 'TimeoutError')) {
        throw new DataUnavailableError(`The Quilt catalog did not issue data-access credentials within ${this.#timeoutMs} ms. Try again later.`, { cause: err })
      }
      throw new DataUnavailableError('Could not reach the Quilt catalog for data-access credentials (network error). Try again later.', { cause: err })
    }
    if (response.status === 401 || response.status === 403) {
      this.forget(tenant)
      throw new DataCredentialsError(response.status)
    }
    if (response.status < 200 || response.status >= 300) {
      throw new DataUnavailableError(`The Quilt catalog answered HTTP ${response.status} when asked for data-access credentials. Try again later.`)
    }
    let parsed: z.ZodSafeParseResult<z.output<typeof CredentialsResponse>>
    try {
      parsed = CredentialsResponse.safeParse(JSON.parse(response.body))
    } catch {
      parsed = CredentialsResponse.safeParse(undefined)
    }
    // The error names only the fields that failed, never their values (which are secrets).
    if (!parsed.success) {
      throw new DataUnavailableError(`The Quilt catalog answered the credentials request in an unexpected shape (${parsed.error.issues.map((i) => i.path.join('.') || 'body').join(', ')}). The gateway and the catalog may be on incompatible versions.`)
    }
    const { AccessKeyId, SecretAccessKey, SessionToken, Expiration } = parsed.data
    const credentials = { accessKeyId: AccessKeyId, secretAccessKey: SecretAccessKey, sessionToken: SessionToken, expiration: Expiration }
    const now = this.#now()
    const ttl = cacheTtlMs(Expiration, now)
    if (ttl > 0) this.#cache.set(tenant.key, { credentials, until: now + ttl })
    return credentials
  }
}
