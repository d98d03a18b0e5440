import { GatewayError } from '../http/errors.js'
import { MemoryBudgetStore, type BudgetStore } from '../limits/tenant-budget.js'

export interface FailedCheckLimitOptions {
  /** Refused credentials one address may send per window before its checks are refused. */
  max: number
  windowMs: number
  /** Shared across replicas (Redis) when configured; this process's memory otherwise. */
  store?: BudgetStore
}

/** Ten refused credentials a minute per address: a user who mistypes retries well within it, a guesser does not. */
export const DEFAULT_FAILED_CHECK_LIMIT = { max: 10, windowMs: 60_000 }

const KEY_PREFIX = 'auth-failures:'

/**
 * Limits credential checks (API keys with the registry, login codes on a consent page) per client
 * address once that address has sent too many refused ones. Counted in the rate limit's budget
 * store, so replicas share the count when Redis is configured. Only checks that need the registry
 * are limited: a credential already known good is served from cache and never blocked by someone
 * else's failures from the same address.
 */
export class FailedCheckLimit {
  readonly #options: FailedCheckLimitOptions
  readonly #store: BudgetStore

  constructor (options: FailedCheckLimitOptions) {
    this.#options = options
    this.#store = options.store ?? new MemoryBudgetStore()
  }

  /** Throws the 429 to answer when the address has spent its failures for this window. */
  async admit (address: string): Promise<void> {
    // A cost of 0 reads the window's count without spending any of it.
    const { current, ttl } = await this.#store.increment(KEY_PREFIX + address, this.#options.windowMs, 0)
    if (current < this.#options.max) return
    const retryAfter = Math.max(1, Math.ceil(ttl / 1000))
    throw new GatewayError('credential_checks_limited', {
      message: `Too many refused credentials from this address (${this.#options.max} per ${Math.round(this.#options.windowMs / 1000)} s); retry in ${retryAfter} s.`,
      headers: { 'retry-after': String(retryAfter) }
    })
  }

  async recordFailure (address: string): Promise<void> {
    await this.#store.increment(KEY_PREFIX + address, this.#options.windowMs, 1)
  }
}
