import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { GatewayError } from '../http/errors.js'
import { TenantBudget, type BudgetStore } from './tenant-budget.js'

export interface RateLimitOptions {
  max: number
  windowSeconds: number
  /** Whose budget a request spends (called after authentication). */
  keyOf: (request: FastifyRequest) => string
  store?: BudgetStore
}

/** Spends `cost` messages of the request's tenant budget; returns the 429 `rate_limited` to answer when over it. */
export type SpendBudget = (request: FastifyRequest, reply: FastifyReply, cost: number) => Promise<GatewayError | undefined>

/**
 * The per-tenant rate limit, counted in JSON-RPC messages. The request's first message is charged in
 * preParsing: after authentication (onRequest), so the key is the verified tenant, and before the body
 * is read, so a tenant over its limit costs no parsing. The route charges a batch's other messages
 * once the body is parsed, before any of them runs. Every answer carries X-RateLimit-* headers.
 */
export function registerRateLimit (app: FastifyInstance, options: RateLimitOptions): SpendBudget {
  const budget = new TenantBudget({ max: options.max, windowMs: options.windowSeconds * 1000, store: options.store })
  const spend: SpendBudget = async (request, reply, cost) => {
    const charge = await budget.spend(options.keyOf(request), cost)
    const resetSeconds = Math.max(1, Math.ceil(charge.ttl / 1000))
    reply.header('x-ratelimit-limit', charge.limit)
    reply.header('x-ratelimit-remaining', charge.remaining)
    reply.header('x-ratelimit-reset', resetSeconds)
    if (charge.allowed) return undefined
    return new GatewayError('rate_limited', {
      message: `Rate limit of ${charge.limit} JSON-RPC messages per ${options.windowSeconds} s exceeded (a batch counts each message); retry in ${resetSeconds} s.`,
      headers: { 'retry-after': String(resetSeconds) }
    })
  }
  app.addHook('preParsing', async (request, reply, payload) => {
    const refusal = await spend(request, reply, 1)
    if (refusal !== undefined) throw refusal
    return payload
  })
  return spend
}
