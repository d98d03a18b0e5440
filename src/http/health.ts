import type { FastifyInstance } from 'fastify'
import { VERSION } from '../config/version.js'

/** Public probes: registered outside the MCP scope, so no token is needed. */
export default async function health (app: FastifyInstance) {
  app.get('/healthz', async () => ({ status: 'ok', version: VERSION }))

  app.get('/readyz', async (_request, reply) => {
    if (app.secrets.ready) return { status: 'ready' }
    return reply.code(503).header('retry-after', '5').send({ status: 'not_ready', reason: 'secret_unavailable' })
  })
}
