import type { FastifyBaseLogger } from 'fastify'
import { LRUCache } from 'lru-cache'
import { GatewayError } from '../http/errors.js'
import { meQuery } from '../platform/operations/me.js'
import { createRegistryClient, type RegistryClientOptions } from '../platform/registry-client.js'
import { RegistryAuthError } from '../platform/registry-errors.js'
import { hashToken, NO_KNOWN_EXPIRY, tenantFromStackBearer, type Tenant } from '../platform/tenant.js'
import type { Stack } from '../config/stacks.js'
import type { FailedCheckLimit } from './failed-checks.js'

/** Quilt API keys start so (quilt3 `login_with_api_key`, GraphQL `apiKeyCreate`). */
export const API_KEY_PREFIX = 'qk_'

/** A good key is re-checked after this long, so a key revoked in Quilt stops working within a minute. */
const API_KEY_GOOD_TTL_MS = 60_000
/** A refused key is answered from memory this long: a client retrying in a loop costs the registry nothing. */
const REFUSED_TTL_MS = 5_000
/** The registry's answer is on the request's path: a check waits no longer than this. */
const CHECK_TIMEOUT_MS = 10_000

type CheckOutcome = 'ok' | 'refused' | 'limited' | 'unavailable' | 'cached'

export interface ApiKeyCheckerOptions {
  registry: Pick<RegistryClientOptions, 'timeoutMs' | 'observe'>
  limit: FailedCheckLimit
  log: FastifyBaseLogger
  /** Called once per key presented, for the credential-check counter. */
  observe: (outcome: CheckOutcome) => void
  /** How long a key the registry accepted is trusted before it is asked again; API_KEY_GOOD_TTL_MS by default. */
  goodTtlMs?: number
}

type Verdict = { tenant: Tenant } | { refused: true }

/**
 * Quilt API keys on a fronted stack. The gateway cannot verify a key itself, so it asks the stack's
 * registry who the key belongs to (`me`) and remembers the answer by the key's hash (never the key)
 * for a short while; concurrent requests with one key share one check. Refused keys count against
 * the sender's address (FailedCheckLimit) before any further unknown key is checked.
 */
export class ApiKeyChecker {
  readonly #options: ApiKeyCheckerOptions
  readonly #verdicts: LRUCache<string, Verdict>
  readonly #inFlight = new Map<string, Promise<Verdict>>()

  constructor (options: ApiKeyCheckerOptions) {
    this.#options = options
    this.#verdicts = new LRUCache({ max: 10_000, ttl: options.goodTtlMs ?? API_KEY_GOOD_TTL_MS })
  }

  async tenantFor (key: string, stack: Stack, address: string): Promise<Tenant> {
    const cacheKey = `${stack.name}\n${hashToken(key)}`
    const known = this.#verdicts.get(cacheKey)
    if (known !== undefined) {
      this.#options.observe('cached')
      if ('tenant' in known) return known.tenant
      throw new GatewayError('api_key_refused')
    }
    let pending = this.#inFlight.get(cacheKey)
    if (pending === undefined) {
      try {
        await this.#options.limit.admit(address)
      } catch (err) {
        this.#options.observe('limited')
        throw err
      }
      pending = this.#check(key, stack, cacheKey, address).finally(() => this.#inFlight.delete(cacheKey))
      this.#inFlight.set(cacheKey, pending)
    }
    const verdict = await pending
    if ('tenant' in verdict) return verdict.tenant
    throw new GatewayError('api_key_refused')
  }

  /** Asks the registry; a refusal counts once against the address that asked, however many requests waited for it. */
  async #check (key: string, stack: Stack, cacheKey: string, address: string): Promise<Verdict> {
    const client = createRegistryClient({ registryUrl: stack.registryUrl, catalogToken: key }, {
      timeoutMs: Math.min(this.#options.registry.timeoutMs, CHECK_TIMEOUT_MS),
      mutationTimeoutMs: CHECK_TIMEOUT_MS,
      observe: this.#options.registry.observe
    })
    let me
    try {
      ({ me } = await client.execute(meQuery, {}))
    } catch (err) {
      if (!(err instanceof RegistryAuthError)) {
        this.#options.observe('unavailable')
        this.#options.log.warn({ stack: stack.name, err: { type: err instanceof Error ? err.name : typeof err, message: err instanceof Error ? err.message : String(err) } }, 'API key check failed: the registry did not answer')
        throw new GatewayError('registry_unavailable', { headers: { 'retry-after': '5' } })
      }
      me = null
    }
    if (me === null) {
      this.#options.observe('refused')
      this.#verdicts.set(cacheKey, { refused: true }, { ttl: REFUSED_TTL_MS })
      await this.#options.limit.recordFailure(address)
      return { refused: true }
    }
    this.#options.observe('ok')
    // The registry tells no key's expiry through `me`; it decides at every call, as for quilt3.
    const verdict = { tenant: tenantFromStackBearer(key, stack, { kind: 'api_key', sub: me.name, email: me.email, expiresAt: NO_KNOWN_EXPIRY }) }
    this.#verdicts.set(cacheKey, verdict)
    return verdict
  }
}
