import type { FastifyRateLimitOptions, FastifyRateLimitStore, FastifyRateLimitStoreCtor } from '@fastify/rate-limit'
import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import type { Redis } from 'ioredis'
import { LRUCache } from 'lru-cache'

/**
 * The per-tenant rate budget shared by every replica through Redis (MCP_RATE_LIMIT_REDIS_URL), with
 * the replica's own in-memory count as the fallback: Redis down or slow never fails a request, it
 * only makes the limit per replica again until Redis answers (a metric and a warning say so).
 */

// Small timeouts: the count is on every request's path, and a local answer beats a late shared one.
const CONNECT_TIMEOUT_MS = 1000
const COMMAND_TIMEOUT_MS = 200
/** After a failure, requests skip Redis for this long instead of each waiting for a timeout. */
const BYPASS_AFTER_FAILURE_MS = 2000
const MAX_RECONNECT_DELAY_MS = 2000
const LOCAL_KEYS = 10_000
const KEY_PREFIX = 'quilt-mcp-gateway:rate-limit:'

/** Fixed window as @fastify/rate-limit's Redis store counts it: INCR, expiry set by the first hit. */
const INCREMENT_SCRIPT = `
local current = redis.call('INCR', KEYS[1])
if current == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return { current, ttl }`

interface Count { current: number, ttl: number }

type CountingRedis = Redis & { rateLimitIncrement: (key: string, windowMs: number) => Promise<[number, number]> }

/** The replica's own fixed-window counts, kept even while Redis answers so a fallback starts warm. */
class LocalCounts {
  readonly #windows = new LRUCache<string, { current: number, resetAt: number }>({ max: LOCAL_KEYS })

  increment (key: string, windowMs: number): Count {
    const now = Date.now()
    let window = this.#windows.get(key)
    if (window === undefined || window.resetAt <= now) {
      window = { current: 0, resetAt: now + windowMs }
      this.#windows.set(key, window)
    }
    window.current += 1
    return { current: window.current, ttl: window.resetAt - now }
  }
}

export interface SharedCounter {
  /** Resolves once connected, or after the connect timeout (the gateway starts either way). */
  ready: () => Promise<void>
  increment: (key: string, windowMs: number) => Promise<Count>
  close: () => Promise<void>
}

export interface SharedCounterOptions {
  log: FastifyBaseLogger
  /** Called once per request counted locally because Redis failed, for the metric. */
  onStoreError: () => void
}

/** Counts in Redis, falling back to local counts on any Redis failure. ioredis loads only when used. */
export async function createSharedCounter (redisUrl: string, options: SharedCounterOptions): Promise<SharedCounter> {
  const { Redis } = await import('ioredis')
  const redis = new Redis(redisUrl, {
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    // Commands fail at once while disconnected instead of queueing behind the reconnect.
    enableOfflineQueue: false,
    retryStrategy: (attempt) => Math.min(attempt * 200, MAX_RECONNECT_DELAY_MS)
  }) as CountingRedis
  redis.defineCommand('rateLimitIncrement', { numberOfKeys: 1, lua: INCREMENT_SCRIPT })
  const local = new LocalCounts()
  let bypassUntil = 0
  let healthy = true
  const redisHost = (() => { try { return new URL(redisUrl).host } catch { return 'redis' } })()
  // ioredis reports each failed reconnect as an 'error' event; the transitions below are what is logged.
  redis.on('error', () => {})

  return {
    async ready () {
      if (redis.status === 'ready') return
      // Not events.once: it rejects on the 'error' events a refused connection emits.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, CONNECT_TIMEOUT_MS)
        redis.once('ready', () => { clearTimeout(timer); resolve() })
      })
    },
    async increment (key, windowMs) {
      const fallback = local.increment(key, windowMs)
      if (Date.now() < bypassUntil || redis.status !== 'ready') {
        if (redis.status !== 'ready') markFailed(new Error(`Redis connection ${redis.status}`))
        else options.onStoreError()
        return fallback
      }
      try {
        const [current, ttl] = await redis.rateLimitIncrement(KEY_PREFIX + key, windowMs)
        if (!healthy) {
          healthy = true
          options.log.info({ redis: redisHost }, 'rate-limit store reachable again: the budget is shared across replicas')
        }
        return { current, ttl }
      } catch (err) {
        markFailed(err)
        return fallback
      }
    },
    async close () {
      redis.disconnect()
    }
  }

  function markFailed (err: unknown): void {
    options.onStoreError()
    bypassUntil = Date.now() + BYPASS_AFTER_FAILURE_MS
    if (healthy) {
      healthy = false
      options.log.warn({ redis: redisHost, err: err instanceof Error ? { type: err.name, message: err.message } : undefined },
        'rate-limit store unavailable: limiting per replica until Redis answers')
    }
  }
}

/**
 * A @fastify/rate-limit store class over a SharedCounter. The plugin constructs it with its options
 * (timeWindow in ms) and asks for a child per route, whose keys are then prefixed by method and URL.
 */
/** What the plugin passes a store: its options, with timeWindow already in milliseconds. */
type StoreOptions = FastifyRateLimitOptions & { timeWindow?: number | string }

export function sharedStoreClass (counter: SharedCounter): FastifyRateLimitStoreCtor {
  class SharedStore implements FastifyRateLimitStore {
    readonly #windowMs: number
    readonly #prefix: string

    constructor (options: StoreOptions, prefix = '') {
      this.#windowMs = Number(options.timeWindow)
      this.#prefix = prefix
    }

    incr (key: string, callback: (error: Error | null, result?: Count) => void): void {
      counter.increment(this.#prefix + key, this.#windowMs).then((count) => { callback(null, count) }, (err: Error) => { callback(err) })
    }

    child (routeOptions: StoreOptions & { routeInfo?: { method?: string, url?: string } }): FastifyRateLimitStore {
      return new SharedStore({ ...routeOptions, timeWindow: routeOptions.timeWindow ?? this.#windowMs }, `${routeOptions.routeInfo?.method ?? ''}${routeOptions.routeInfo?.url ?? ''}:`)
    }
  }
  return SharedStore
}

/**
 * The `store` option for @fastify/rate-limit in this scope: shared through Redis when
 * MCP_RATE_LIMIT_REDIS_URL is set, else undefined (the plugin's in-memory store, per replica).
 */
export async function sharedRateLimitStore (app: FastifyInstance): Promise<FastifyRateLimitStoreCtor | undefined> {
  const { rateLimitRedisUrl } = app.config
  if (rateLimitRedisUrl === undefined) return undefined
  const counter = await createSharedCounter(rateLimitRedisUrl, { log: app.log, onStoreError: () => { app.metrics.rateLimitStoreErrors.inc() } })
  app.addHook('onClose', () => counter.close())
  await counter.ready()
  return sharedStoreClass(counter)
}
