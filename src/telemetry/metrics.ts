import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'
import { CostCounters } from './cost.js'

declare module 'fastify' {
  interface FastifyInstance {
    metrics: GatewayMetrics
  }
}

/**
 * Outcomes of a sign-in step, a closed set so the label stays bounded whatever a client sends:
 * `ok`; `refused` (a wrong code, key, PKCE verifier, redirect or client: RFC 6749's invalid_grant,
 * invalid_client, invalid_request); `limited` (too many failed checks from one address);
 * `unavailable` (the registry or the shared store could not answer).
 */
const SIGNIN_OUTCOMES = ['ok', 'refused', 'limited', 'unavailable'] as const
type SignInOutcome = typeof SIGNIN_OUTCOMES[number]

/** The gateway's Prometheus metrics, on a registry of its own so several apps in one process never clash. */
class GatewayMetrics {
  readonly registry = new Registry()
  readonly requests = new Counter({ name: 'mcp_gateway_http_requests_total', help: 'HTTP requests by route, method and status', labelNames: ['route', 'method', 'status'] as const, registers: [this.registry] })
  readonly authFailures = new Counter({ name: 'mcp_gateway_auth_failures_total', help: 'Rejected authentication (401/403) by reason', labelNames: ['reason'] as const, registers: [this.registry] })
  readonly credentialChecks = new Counter({ name: 'mcp_gateway_credential_checks_total', help: 'Quilt API key and Quilt Connect token checks by kind and outcome (ok, refused, limited, unavailable, cached)', labelNames: ['kind', 'outcome'] as const, registers: [this.registry] })
  readonly rateLimitStoreErrors = new Counter({ name: 'mcp_gateway_rate_limit_store_errors_total', help: 'Requests counted against the local rate limit because the shared (Redis) store failed or was bypassed after a failure', registers: [this.registry] })
  readonly rateLimitRefusals = new Counter({ name: 'mcp_gateway_rate_limit_refusals_total', help: 'Requests refused with 429 by reason (rate_limited: over the tenant budget; too_many_concurrent_calls: over the tenant\'s slots)', labelNames: ['reason'] as const, registers: [this.registry] })
  readonly toolCalls = new Counter({ name: 'mcp_gateway_tool_calls_total', help: 'MCP tool calls by tool and outcome', labelNames: ['tool', 'outcome'] as const, registers: [this.registry] })
  readonly registryLatency = new Histogram({
    name: 'mcp_gateway_registry_request_duration_seconds',
    help: 'Latency of registry GraphQL calls by operation and outcome',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry]
  })

  readonly #signIns = new Counter({ name: 'mcp_gateway_signin_total', help: 'Sign-in attempts (OAuth authorize and token, API keys, Connect tokens) by outcome', labelNames: ['outcome'] as const, registers: [this.registry] })
  readonly cost = new CostCounters(this.registry)

  /** `secretRefreshSeconds` is exported so an alert can say "older than its refresh period allows" without a copy of the setting. */
  constructor (secretAgeSeconds: () => number | undefined, secretRefreshSeconds: number) {
    for (const outcome of SIGNIN_OUTCOMES) this.#signIns.inc({ outcome }, 0)
    for (const kind of ['api_key', 'connect']) {
      for (const outcome of ['ok', 'refused', 'limited', 'unavailable', 'cached']) this.credentialChecks.inc({ kind, outcome }, 0)
    }
    new Gauge({ name: 'mcp_gateway_jwt_secret_refresh_seconds', help: 'How often the JWT secret is re-read (MCP_JWT_SECRET_REFRESH_SECONDS)', registers: [this.registry] }).set(secretRefreshSeconds)
    // eslint-disable-next-line no-new -- registered on construction; collect() reads the store lazily
    new Gauge({
      name: 'mcp_gateway_jwt_secret_age_seconds',
      help: 'Seconds since the JWT secret was last loaded (absent before the first load)',
      registers: [this.registry],
      collect () {
        const age = secretAgeSeconds()
        if (age !== undefined) this.set(age)
      }
    })
    // eslint-disable-next-line no-new -- registered on construction; read at each scrape
    new Gauge({
      name: 'mcp_gateway_memory_limit_bytes',
      help: 'Memory limit of the container (cgroup), for alerts on resident memory near it; absent when unlimited',
      registers: [this.registry],
      collect () {
        // No limit reads as 2^64 - 1 (cgroup "max"), or 0 where the limit is unknown.
        const limit = process.constrainedMemory()
        if (limit > 0 && limit < Number.MAX_SAFE_INTEGER) this.set(limit)
      }
    })
    collectDefaultMetrics({ register: this.registry, prefix: 'mcp_gateway_' })
  }

  /** One sign-in step's outcome: the label takes the closed set only. */
  signIn (outcome: SignInOutcome): void {
    this.#signIns.inc({ outcome })
  }
}

/** GET /metrics is public like the probes: scrape it from inside the VPC, do not route it through nginx. */
export default fp(async function metrics (app: FastifyInstance) {
  const gatewayMetrics = new GatewayMetrics(() => app.secrets.ageSeconds, app.config.secretRefreshSeconds)
  app.decorate('metrics', gatewayMetrics)
  app.get('/metrics', async (_request, reply) => {
    reply.type(gatewayMetrics.registry.contentType)
    return gatewayMetrics.registry.metrics()
  })
}, { name: 'metrics', dependencies: ['secrets'] })
