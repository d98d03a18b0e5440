import { LRUCache } from 'lru-cache'

/** A tenant's count in the current window and the milliseconds until that window closes. */
export interface WindowCount {
  current: number
  ttl: number
}

/**
 * Where budgets are counted. The in-memory store below counts per replica; a shared store (Redis:
 * INCRBY plus PEXPIRE when the key is new, in one script) makes the limit hold across replicas.
 */
export interface BudgetStore {
  /** Adds `cost` to the key's count, opening a window of `windowMs` when none is open, and returns the new count. */
  increment (key: string, windowMs: number, cost: number): Promise<WindowCount>
}

/** Fixed windows in this process's memory; the least recently seen tenants are forgotten first. */
export class MemoryBudgetStore implements BudgetStore {
  readonly #windows: LRUCache<string, { count: number, endsAt: number }>

  constructor (maxTenants = 10_000) {
    this.#windows = new LRUCache({ max: maxTenants })
  }

  async increment (key: string, windowMs: number, cost: number): Promise<WindowCount> {
    const now = Date.now()
    let window = this.#windows.get(key)
    if (window === undefined || window.endsAt <= now) {
      window = { count: 0, endsAt: now + windowMs }
      this.#windows.set(key, window)
    }
    window.count += cost
    return { current: window.count, ttl: window.endsAt - now }
  }
}

export interface BudgetCharge extends WindowCount {
  allowed: boolean
  limit: number
  remaining: number
}

/**
 * Every JSON-RPC message a tenant sends spends one unit of its budget, `max` per `windowMs`: a batch
 * of ten costs what ten requests cost. Refused messages count too, so a tenant that keeps pushing past
 * its limit stays refused until the window ends.
 */
export class TenantBudget {
  readonly max: number
  readonly windowMs: number
  readonly #store: BudgetStore

  constructor (options: { max: number, windowMs: number, store?: BudgetStore }) {
    this.max = options.max
    this.windowMs = options.windowMs
    this.#store = options.store ?? new MemoryBudgetStore()
  }

  async spend (key: string, cost: number): Promise<BudgetCharge> {
    const window = await this.#store.increment(key, this.windowMs, cost)
    return { ...window, allowed: window.current <= this.max, limit: this.max, remaining: Math.max(0, this.max - window.current) }
  }
}
