import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { authorizeRoutes } from './authorize.js'
import { guardedClientMetadataFetch, type ClientMetadataFetch } from './client-metadata-fetch.js'
import { Clients, register } from './clients.js'
import { OAuthError } from './oauth-error.js'
import { SCOPES } from './scopes.js'
import { singleUseFor } from './single-use.js'
import { AS_METADATA_PATH, OAUTH_PREFIX, signInStackFor, type SignInStack } from './stack-context.js'
import { tokenRoute } from './token.js'

export interface SignInOptions {
  /** How client ID metadata documents are fetched; the address-guarded fetch unless a test passes its own. */
  fetchClientMetadata?: ClientMetadataFetch
}

/** Sign-in requests are small forms and JSON documents. */
const BODY_LIMIT_BYTES = 64 * 1024

/** Whether the gateway runs its sign-in server: on by default for a fronted stack, unless MCP_OAUTH=off. */
export const signInEnabled = (config: FastifyInstance['config']) => config.oauth !== 'off' && config.stacks.length > 0

function stackOf (request: FastifyRequest): SignInStack {
  const stack = signInStackFor(request)
  if (stack === undefined) throw new OAuthError('invalid_request', 'This host fronts no Quilt stack, so it runs no sign-in server.')
  if (!stack.sealer.ready) throw new OAuthError('temporarily_unavailable', 'The gateway is starting and cannot sign anyone in yet; retry shortly.')
  return stack
}

function metadata (stack: SignInStack) {
  return {
    issuer: stack.issuer,
    authorization_endpoint: `${stack.issuer}/authorize`,
    token_endpoint: `${stack.issuer}/token`,
    registration_endpoint: `${stack.issuer}/register`,
    scopes_supported: SCOPES,
    response_types_supported: ['code'],
    response_modes_supported: ['query'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    token_endpoint_auth_methods_supported: ['none'],
    code_challenge_methods_supported: ['S256'],
    client_id_metadata_document_supported: true,
    authorization_response_iss_parameter_supported: true
  }
}

/** Form bodies as an object; a repeated parameter becomes a list, which the routes' schemas refuse. */
function parseForm (_request: FastifyRequest, body: string, done: (err: Error | null, value?: unknown) => void) {
  const fields: Record<string, string | string[]> = {}
  for (const [name, value] of new URLSearchParams(body)) {
    const earlier = fields[name]
    fields[name] = earlier === undefined ? value : [...(Array.isArray(earlier) ? earlier : [earlier]), value]
  }
  done(null, fields)
}

/**
 * The OAuth 2.1 authorization server of each fronted stack (see README, "Connect from Claude, ChatGPT,
 * VS Code, Cursor, mcp-remote"): RFC 8414 metadata, DCR and client ID metadata documents, a consent
 * page taking the catalog's login code or an API key, and /token. Stateless: what it issues is sealed
 * (sealing.ts), so any replica redeems it. Encapsulated: its parsers and error answers (RFC 6749 JSON)
 * apply to these routes only.
 */
export default async function signIn (app: FastifyInstance, opts: SignInOptions) {
  const clients = new Clients(opts.fetchClientMetadata ?? guardedClientMetadataFetch())
  const used = await singleUseFor(app)
  const authorize = authorizeRoutes({ clients, failures: app.quiltCredentials.failedChecks, stackOf })

  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: BODY_LIMIT_BYTES }, parseForm)
  app.setErrorHandler((err: FastifyError | OAuthError, request, reply: FastifyReply) => {
    let answer: OAuthError
    let status: number
    if (err instanceof OAuthError) {
      answer = err
      status = err.statusCode
    } else if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
      // Fastify's own refusals (body too large, unsupported Content-Type, bad JSON) keep their status.
      status = err.statusCode
      answer = new OAuthError('invalid_request', err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
        ? 'Unsupported Content-Type: send a form (application/x-www-form-urlencoded), or JSON to the registration endpoint.'
        : err.message)
    } else {
      request.log.error({ err }, 'sign-in request failed')
      answer = new OAuthError('server_error', 'The sign-in server failed; it has been logged.')
      status = answer.statusCode
    }
    request.failureReason = status >= 500 ? 'internal_error' : 'bad_request'
    return reply.code(status).headers(answer.headers).type('application/json').send(answer.body)
  })
  // Browser-based hosts (the MCP Inspector) read the metadata and call /register and /token cross-origin;
  // none of them uses cookies, so any origin may.
  app.addHook('onSend', async (request, reply) => {
    if (!request.url.startsWith(`${OAUTH_PREFIX}/authorize`)) reply.header('access-control-allow-origin', '*')
  })
  for (const path of [`${OAUTH_PREFIX}/register`, `${OAUTH_PREFIX}/token`]) {
    app.options(path, async (_request, reply) => reply.code(204)
      .header('access-control-allow-methods', 'POST')
      .header('access-control-allow-headers', 'content-type, mcp-protocol-version')
      .header('access-control-max-age', '600').send())
  }

  for (const path of [`${AS_METADATA_PATH}${OAUTH_PREFIX}`, AS_METADATA_PATH]) {
    app.get(path, async (request, reply) => reply.header('cache-control', 'public, max-age=300').send(metadata(stackOf(request))))
  }
  app.post(`${OAUTH_PREFIX}/register`, { bodyLimit: BODY_LIMIT_BYTES }, async (request, reply) => {
    const answer = await register(stackOf(request).sealer, request.body)
    return reply.code(201).header('cache-control', 'no-store').send(answer)
  })
  app.get(`${OAUTH_PREFIX}/authorize`, authorize.show)
  app.post(`${OAUTH_PREFIX}/authorize`, { bodyLimit: BODY_LIMIT_BYTES }, authorize.decide)
  app.post(`${OAUTH_PREFIX}/token`, { bodyLimit: BODY_LIMIT_BYTES }, tokenRoute({ used, stackOf }))
}
