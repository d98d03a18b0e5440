import cors from '@fastify/cors'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { GatewayError } from './errors.js'

declare module 'fastify' {
  interface FastifyInstance {
    checkOrigin: (request: FastifyRequest) => Promise<void>
  }
}

// Headers MCP browser clients send: the catalog's assistant adds trace context (W3C traceparent and
// tracestate, and B3 from its HTTP stack, single- and multi-header), and a server that refused those
// made its client strip them.
const TRACE_HEADERS = ['traceparent', 'tracestate', 'baggage', 'b3', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-parentspanid', 'x-b3-sampled', 'x-b3-flags']
const ALLOWED_HEADERS = ['authorization', 'content-type', 'accept', 'mcp-protocol-version', 'mcp-session-id', 'last-event-id', ...TRACE_HEADERS]
const EXPOSED_HEADERS = ['www-authenticate', 'retry-after', 'mcp-session-id', 'mcp-protocol-version']

const LOOPBACK_ORIGIN = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/

/**
 * CORS for the configured origins, and the Origin check that protects against DNS rebinding: a browser
 * request from any other origin is refused with 403 before the token is looked at. Loopback origins are
 * always allowed so local tools (the MCP Inspector) work; they still need a valid token.
 */
export default fp(async function browserAccess (app: FastifyInstance) {
  const allowed = new Set(app.config.corsOrigins)
  const isAllowed = (origin: string) => allowed.has(origin) || LOOPBACK_ORIGIN.test(origin)

  await app.register(cors, {
    origin: (origin, callback) => { callback(null, origin !== undefined && isAllowed(origin)) },
    methods: ['POST', 'OPTIONS'],
    allowedHeaders: ALLOWED_HEADERS,
    exposedHeaders: EXPOSED_HEADERS,
    maxAge: 600,
    // The strict check answers a non-browser OPTIONS with a text/plain 400; every answer here is JSON
    // or empty, and a preflight without Origin gets no CORS grant either way.
    strictPreflight: false
  })

  app.decorate('checkOrigin', async function checkOrigin (request: FastifyRequest) {
    const origin = request.headers.origin
    if (origin !== undefined && !isAllowed(origin)) throw new GatewayError('origin_not_allowed')
  })
  // A preflight from another origin gets no CORS grant above and would fall through to a 404; say why.
  app.addHook('onRequest', async (request) => {
    if (request.method === 'OPTIONS') await app.checkOrigin(request)
  })
}, { name: 'browser-access' })
