import type { FastifyInstance } from 'fastify'
import type { Redis } from 'ioredis'
import { LRUCache } from 'lru-cache'
import { OAuthError } from './oauth-error.js'

/**
 * Remembers which codes and refresh tokens were redeemed, so each is used once. With Redis (the URL the
 * shared rate limits use, MCP_RATE_LIMIT_REDIS_URL) this holds across replicas, and a Redis failure
 * refuses the redemption (503, fail closed); without it, within this replica only.
 */
export interface SingleUse {
  /** Marks `id` used for `ttlMs`; says how long ago it was first used, or null when this is the first use. */
  claim (id: string, ttlMs: number): Promise<number | null>
  close (): void
}

const KEY_PREFIX = 'quilt-mcp-gateway:sign-in:used:'
const CONNECT_TIMEOUT_MS = 1000
const COMMAND_TIMEOUT_MS = 500

/** SET NX in one round trip; the earlier use's time when the id was already claimed. */
const CLAIM_SCRIPT = `
if redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return false end
return redis.call('GET', KEYS[1])`

type ClaimingRedis = Redis & { signInClaim: (key: string, now: string, ttlMs: number) => Promise<string | null> }

class MemorySingleUse implements SingleUse {
  readonly #used = new LRUCache<string, number>({ max: 100_000, ttlAutopurge: false })

  async claim (id: string, ttlMs: number): Promise<number | null> {
    const earlier = this.#used.get(id)
    if (earlier !== undefined) return Date.now() - earlier
    this.#used.set(id, Date.now(), { ttl: ttlMs })
    return null
  }

  close (): void {}
}

async function redisSingleUse (url: string): Promise<SingleUse> {
  const { Redis } = await import('ioredis')
  const redis = new Redis(url, {
    connectTimeout: CONNECT_TIMEOUT_MS,
    commandTimeout: COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000)
  }) as ClaimingRedis
  redis.defineCommand('signInClaim', { numberOfKeys: 1, lua: CLAIM_SCRIPT })
  redis.on('error', () => {})
  // Commands fail at once while connecting (no offline queue): wait for the first connection, briefly.
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, CONNECT_TIMEOUT_MS)
    redis.once('ready', () => { clearTimeout(timer); resolve() })
  })
  return {
    async claim (id, ttlMs) {
      let earlier: string | null
      try {
        earlier = await redis.signInClaim(KEY_PREFIX + id, String(Date.now()), ttlMs)
      } catch {
        throw new OAuthError('temporarily_unavailable', 'The sign-in store (Redis) is unavailable, so this code or token cannot be redeemed safely now; retry shortly.')
      }
      return earlier === null ? null : Date.now() - Number(earlier)
    },
    close () { redis.disconnect() }
  }
}

export async function singleUseFor (app: FastifyInstance): Promise<SingleUse> {
  const url = app.config.rateLimitRedisUrl
  const store = url === undefined ? new MemorySingleUse() : await redisSingleUse(url)
  app.addHook('onClose', async () => { store.close() })
  return store
}
