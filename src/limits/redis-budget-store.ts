import type { FastifyBaseLogger, FastifyInstance } from 'fastify'
import type { Redis } from 'ioredis'
import { MemoryBudgetStore, type BudgetStore, type WindowCount } from './tenant-budget.js'

/**
 * The per-tenant budget shared by every replica through Redis (MCP_RATE_LIMIT_REDIS_URL), with the
 * replica's own in-memory count as the fallback: Redis down or slow never fails a request, it only
 * makes the limit per replica again until Redis answers (a metric and a warning say so).
 */

// Small timeouts: the count is on every request's path, and a local answer beats a late shared one.
const CONNECT_TIMEOUT_MS = 1000
const COMMAND_TIMEOUT_MS = 200
/** After a failure, requests skip Redis for this long instead of each waiting for a timeout. */
const BYPASS_AFTER_FAILURE_MS = 2000
const MAX_RECONNECT_DELAY_MS = 2000
const KEY_PREFIX = 'quilt-mcp-gateway:budget:'

/** A fixed window: INCRBY the cost, the expiry set by the window's first charge, in one round trip. */
const INCREMENT_SCRIPT = `
local current = redis.call('INCRBY', KEYS[1], ARGV[2])
if current == tonumber(ARGV[2]) then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return { current, ttl }`

type CountingRedis = Redis & { budgetIncrement: (key: string, windowMs: number, cost: number) => Promise<[number, number]> }

interface RedisBudgetStore extends BudgetStore {
  /** Resolves once connected, or after the connect timeout (the gateway starts either way). */
  ready: () => Promise<void>
  close: () => void
}

interface RedisBudgetStoreOptions {
  log: FastifyBaseLogger
  /** Called once per charge counted locally because Redis failed, for the metric. */
  onStoreError: () => void
}

/** Counts in Redis, falling back to local counts on any Redis failure. ioredis loads only when used. */
async function createRedisBudgetStore (redisUrl: string, options: RedisBudgetStoreOptions): Promise<RedisBudgetStore> {
  const { Redis } = await import('ioredis')
  const redis = new Redis(redisUrl, {
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    // Commands fail at once while disconnected instead of queueing behind the reconnect.
    enableOfflineQueue: false,
    retryStrategy: (attempt) => Math.min(attempt * 200, MAX_RECONNECT_DELAY_MS)
  }) as CountingRedis
  redis.defineCommand('budgetIncrement', { numberOfKeys: 1, lua: INCREMENT_SCRIPT })
  // Kept even while Redis answers, so a fallback starts warm.
  const local = new MemoryBudgetStore()
  let bypassUntil = 0
  let healthy = true
  const redisHost = URL.canParse(redisUrl) ? new URL(redisUrl).host : 'redis'
  // ioredis reports each failed reconnect as an 'error' event; the transitions below are what is logged.
  redis.on('error', () => {})

  function markFailed (err: unknown): void {
    options.onStoreError()
    bypassUntil = Date.now() + BYPASS_AFTER_FAILURE_MS
    if (healthy) {
      healthy = false
      options.log.warn({ redis: redisHost, err: err instanceof Error ? { type: err.name, message: err.message } : undefined },
        'rate-limit store unavailable: limiting per replica until Redis answers')
    }
  }

  return {
    async ready () {
      if (redis.status === 'ready') return
      // Not events.once: it rejects on the 'error' events a refused connection emits.
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, CONNECT_TIMEOUT_MS)
        redis.once('ready', () => { clearTimeout(timer); resolve() })
      })
    },
    async increment (key: string, windowMs: number, cost: number): Promise<WindowCount> {
      const fallback = await local.increment(key, windowMs, cost)
      if (redis.status !== 'ready') {
        markFailed(new Error(`Redis connection ${redis.status}`))
        return fallback
      }
      if (Date.now() < bypassUntil) {
        options.onStoreError()
        return fallback
      }
      try {
        const [current, ttl] = await redis.budgetIncrement(KEY_PREFIX + key, windowMs, cost)
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
    close () {
      redis.disconnect()
    }
  }
}

/** The budget store of this app: Redis when MCP_RATE_LIMIT_REDIS_URL is set, else undefined (in memory). */
export async function sharedBudgetStore (app: FastifyInstance): Promise<BudgetStore | undefined> {
  const { rateLimitRedisUrl } = app.config
  if (rateLimitRedisUrl === undefined) return undefined
  const store = await createRedisBudgetStore(rateLimitRedisUrl, { log: app.log, onStoreError: () => { app.metrics.rateLimitStoreErrors.inc() } })
  app.addHook('onClose', async () => { store.close() })
  await store.ready()
  return store
}
