import { GATEWAY_ERROR_CODE } from '../http/errors.js'

/** A call refused for want of a slot; the SDK turns `code`, `message` and `data` into the JSON-RPC error. */
export class SlotRefusedError extends Error {
  name = 'SlotRefusedError'
  readonly code = GATEWAY_ERROR_CODE
  readonly data = { reason: 'too_many_concurrent_calls' }
}

interface Waiter {
  grant: () => void
}

interface TenantState {
  running: number
  waiting: Waiter[]
}

/**
 * A cap on the tool calls one tenant runs at once in this replica, so one tenant cannot hold every
 * registry connection and handler while the others wait. Calls over the cap wait their turn (first
 * come, first served; a batch of ten with a cap of eight is still served whole), up to `maxWaiting`
 * per tenant; beyond that, or when the caller's signal aborts (cancel, deadline, client gone), the
 * call is refused at once.
 */
export class TenantSlots {
  readonly maxRunning: number
  readonly maxWaiting: number
  readonly #tenants = new Map<string, TenantState>()

  constructor (maxRunning: number, maxWaiting = maxRunning * 4) {
    this.maxRunning = maxRunning
    this.maxWaiting = maxWaiting
  }

  /** What a refused caller is told. */
  get refusal (): string {
    return `Too many tool calls in progress for this user (${this.maxRunning} running, ${this.maxWaiting} waiting); retry when some have finished.`
  }

  /** Resolves with the function that frees the slot once the call ends. */
  async acquire (key: string, signal: AbortSignal): Promise<() => void> {
    let state = this.#tenants.get(key)
    if (state === undefined) {
      state = { running: 0, waiting: [] }
      this.#tenants.set(key, state)
    }
    if (state.running < this.maxRunning) {
      state.running++
      return this.#releaser(key, state)
    }
    if (state.waiting.length >= this.maxWaiting) {
      throw new SlotRefusedError(this.refusal)
    }
    signal.throwIfAborted()
    const tenant = state
    await new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        tenant.waiting.splice(tenant.waiting.indexOf(waiter), 1)
        reject(signal.reason)
      }
      const waiter: Waiter = { grant: () => { signal.removeEventListener('abort', onAbort); resolve() } }
      tenant.waiting.push(waiter)
      signal.addEventListener('abort', onAbort, { once: true })
    })
    return this.#releaser(key, tenant)
  }

  /** Whether the tenant's calls fill every slot and the waiting room: a further call would be refused. */
  isFull (key: string): boolean {
    const state = this.#tenants.get(key)
    return state !== undefined && state.waiting.length >= this.maxWaiting
  }

  /** Tenants with a call running or waiting (idle ones are dropped, so the map stays small). */
  get activeTenants (): number {
    return this.#tenants.size
  }

  #releaser (key: string, state: TenantState): () => void {
    let released = false
    return () => {
      if (released) return
      released = true
      const next = state.waiting.shift()
      // The slot passes straight to the next waiter, so `running` stays the same.
      if (next !== undefined) next.grant()
      else if (--state.running === 0) this.#tenants.delete(key)
    }
  }
}
