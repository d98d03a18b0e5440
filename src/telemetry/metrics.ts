import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client'

declare module 'fastify' {
  interface FastifyInstance {
    metrics: GatewayMetrics
  }
}

/** The gateway's Prometheus metrics, on a registry of its own so several apps in one process never clash. */
export class GatewayMetrics {
  readonly registry = new Registry()
  readonly requests = new Counter({ name: 'mcp_gateway_http_requests_total', help: 'HTTP requests by route, method and status', labelNames: ['route', 'method', 'status'] as const, registers: [this.registry] })
  readonly authFailures = new Counter({ name: 'mcp_gateway_auth_failures_total', help: 'Rejected authentication (401/403) by reason', labelNames: ['reason'] as const, registers: [this.registry] })
  readonly credentialChecks = new Counter({ name: 'mcp_gateway_credential_checks_total', help: 'Quilt API key and Quilt Connect token checks by kind and outcome (ok, refused, limited, unavailable, cached)', labelNames: ['kind', 'outcome'] as const, registers: [this.registry] })
  readonly rateLimitStoreErrors = new Counter({ name: 'mcp_gateway_rate_limit_store_errors_total', help: 'Requests counted against the local rate limit because the shared (Redis) store failed or was bypassed after a failure', registers: [this.registry] })
  readonly toolCalls = new Counter({ name: 'mcp_gateway_tool_calls_total', help: 'MCP tool calls by tool and outcome', labelNames: ['tool', 'outcome'] as const, registers: [this.registry] })
  readonly registryLatency = new Histogram({
    name: 'mcp_gateway_registry_request_duration_seconds',
    help: 'Latency of registry GraphQL calls by operation and outcome',
    labelNames: ['operation', 'outcome'] as const,
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    registers: [this.registry]
  })

  constructor (secretAgeSeconds: () => number | undefined) {
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
    collectDefaultMetrics({ register: this.registry, prefix: 'mcp_gateway_' })
  }
}

/** GET /metrics is public like the probes: scrape it from inside the VPC, do not route it through nginx. */
export default fp(async function metrics (app: FastifyInstance) {
  const gatewayMetrics = new GatewayMetrics(() => app.secrets.ageSeconds)
  app.decorate('metrics', gatewayMetrics)
  app.get('/metrics', async (_request, reply) => {
    reply.type(gatewayMetrics.registry.contentType)
    return gatewayMetrics.registry.metrics()
  })
}, { name: 'metrics', dependencies: ['secrets'] })
