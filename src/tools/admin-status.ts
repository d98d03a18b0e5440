import { LRUCache } from 'lru-cache'
import { meQuery } from '../platform/operations/me.js'
import type { ToolContext } from './context.js'

/**
 * Whether each caller is a catalog administrator (`me.isAdmin`), learnt from their registry and kept
 * about a minute: admin tools are listed and run only for admins, and tools/list must not cost a
 * registry call each time. One lookup per caller however many requests ask at once (the pending
 * promise is cached); bounded, so a flood of distinct callers cannot grow it without limit.
 */
export class AdminStatusCache {
  readonly #cache: LRUCache<string, Promise<boolean>>

  constructor (max = 10_000, ttlMs = 60_000) {
    this.#cache = new LRUCache({ max, ttl: ttlMs })
  }

  /** True only when the registry says so; false when it says otherwise or cannot say (not cached then). */
  isAdmin (ctx: Pick<ToolContext, 'tenant' | 'registry' | 'signal'>): Promise<boolean> {
    const key = ctx.tenant.key
    let pending = this.#cache.get(key)
    if (pending === undefined) {
      const learning = ctx.registry.execute(meQuery, {}, { signal: ctx.signal }).then(({ me }) => me?.isAdmin === true)
      pending = learning.catch(() => {
        // No answer is not "not an admin": ask again next time.
        if (this.#cache.get(key) === pending) this.#cache.delete(key)
        return false
      })
      this.#cache.set(key, pending)
    }
    return pending
  }
}

/** Shared by every request of the process, as the capability cache is. */
export const sharedAdminStatus = new AdminStatusCache()
