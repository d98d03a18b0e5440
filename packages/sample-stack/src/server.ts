import { setMaxListeners } from 'node:events'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { setTimeout as delay } from 'node:timers/promises'
import { buildSchema, execute, GraphQLError, Kind, parse, validate, type DocumentNode, type GraphQLSchema } from 'graphql'
import { z } from 'zod'
import { SampleApiKeys } from './api-keys.js'
import { SampleCredentials } from './credentials.js'
import { demoTenants, type TenantData } from './data.js'
import { withDataFields } from './data-resolvers.js'
import { eraSdl, NEWEST_ERA, type Era } from './eras.js'
import { SampleLogins } from './logins.js'
import { createRootValue } from './resolvers.js'

/** What the sample registry saw of one request; fields are null when the body was not usable. */
interface RecordedRequest {
  operationName: string | null
  query: string | null
  variables: Record<string, unknown> | null
  /** The raw Authorization header, to check what the gateway forwards. */
  authorization: string | null
  /** The bearer credential, i.e. the catalog token that selects the tenant. */
  token: string | null
  /** The W3C trace context the caller sent on, to check trace propagation. */
  traceparent: string | null
}

export type InterceptedRequest = RecordedRequest

/** A fault to inject instead of (or, for `delayMs`, before) the normal answer. */
export type InterceptAction =
  | { status: number, body?: string, headers?: Record<string, string> }
  | { delayMs: number }
  | { graphqlErrors: Array<{ message: string }> }
  | { destroy: true }

export interface SampleRegistryOptions {
  /** Tenant data keyed by catalog token; `demoTenants()` when absent. Mutations change it in place. */
  tenants?: Record<string, TenantData>
  /** 0 (the default) picks a free port. */
  port?: number
  host?: string
  intercept?: (request: InterceptedRequest) => InterceptAction | undefined | Promise<InterceptAction | undefined>
  /** The registry schema era to serve (its vendored SDL); the newest when absent. */
  era?: Era
  /** Secure search: search totals are -1 and first pages come back empty, the hits behind their cursor. */
  secureSearch?: boolean
  /** Maps a catalog session token to the catalog token of its user's tenant (see session-tokens.ts). */
  sessionTokens?: (bearer: string) => string | undefined
  /** Issues `/api/auth/get_credentials`; share one between registries that share a sample S3. */
  credentials?: SampleCredentials
  /** quilt3's login: one-time codes, `POST /api/token`, expiring sessions (see logins.ts). */
  logins?: SampleLogins
  /** The catalog token of the user whose one-time codes `GET /code` shows (the demo's); no page when absent. */
  codePageUser?: string
}

export interface SampleRegistry {
  /** e.g. http://127.0.0.1:PORT, no trailing slash; GraphQL is at `${url}/graphql`. */
  url: string
  requests: RecordedRequest[]
  tenants: Record<string, TenantData>
  era: Era
  credentials: SampleCredentials
  logins: SampleLogins
  /** Quilt API keys (`qk_...`) this registry accepts: create and revoke them here. */
  apiKeys: SampleApiKeys
  close: () => Promise<void>
}

const schemas = new Map<Era, GraphQLSchema>()

/** The registry's own schema of that era: every request is validated against exactly what it accepts. */
function schemaOf (era: Era): GraphQLSchema {
  let schema = schemas.get(era)
  if (schema === undefined) {
    schema = buildSchema(eraSdl(era))
    schemas.set(era, schema)
  }
  return schema
}

const MAX_BODY_BYTES = 10 * 1024 * 1024

const RequestBodySchema = z.object({
  query: z.string(),
  operationName: z.string().nullish(),
  variables: z.record(z.string(), z.unknown()).nullish()
})

type RequestBody = z.infer<typeof RequestBodySchema>

function send (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body)
  // An explicit content-length keeps the connection reusable for keep-alive clients.
  res.writeHead(status, { 'content-type': 'application/json', ...headers, 'content-length': Buffer.byteLength(text) })
  res.end(text)
}

/** Reads the whole body, but keeps at most MAX_BODY_BYTES (null beyond), so the answer can still be sent. */
async function readBody (req: IncomingMessage): Promise<string | null> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length
    if (size <= MAX_BODY_BYTES) chunks.push(chunk)
  }
  return size > MAX_BODY_BYTES ? null : Buffer.concat(chunks).toString('utf8')
}

function parseBody (text: string): RequestBody | null {
  try {
    const parsed = RequestBodySchema.safeParse(JSON.parse(text))
    return parsed.success ? parsed.data : null
  } catch {
    return null
  }
}

/** The document, or the HTTP 400 errors a real GraphQL server answers for it. */
function checkDocument (schema: GraphQLSchema, query: string): DocumentNode | { errors: unknown[] } {
  let document: DocumentNode
  try {
    document = parse(query)
  } catch (err) {
    return { errors: [err instanceof GraphQLError ? err.toJSON() : { message: String(err) }] }
  }
  const errors = validate(schema, document)
  if (errors.length > 0) return { errors: errors.map((e) => e.toJSON()) }
  // The gateway must name every operation (the registry logs by name), so this fixture insists.
  if (document.definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION && d.name === undefined)) {
    return { errors: [{ message: 'Anonymous operations are refused: name every operation' }] }
  }
  return document
}

export async function startSampleRegistry (options: SampleRegistryOptions = {}): Promise<SampleRegistry> {
  const tenants = options.tenants ?? demoTenants()
  const era = options.era ?? NEWEST_ERA
  const schema = schemaOf(era)
  const behaviour = { era, secureSearch: options.secureSearch ?? false }
  const requests: RecordedRequest[] = []
  const credentials = options.credentials ?? new SampleCredentials()
  const logins = options.logins ?? new SampleLogins()
  const apiKeys = new SampleApiKeys(tenants)
  /**
   * The catalog token a bearer acts as: an API key's, a session token's or a login session's user, else the bearer itself
   * (tests may also list a `qk_` key as a tenant of their own; revocation applies to keys created in `apiKeys`).
   */
  const tenantTokenOf = (bearer: string) => bearer.startsWith('qk_') ? apiKeys.resolve(bearer) ?? (apiKeys.knows(bearer) ? undefined : bearer) : options.sessionTokens?.(bearer) ?? logins.tenantFor(bearer) ?? bearer
  const closing = new AbortController()
  // Each delayed request listens on this signal; dozens at once are normal in load tests.
  setMaxListeners(0, closing.signal)

  async function answer (req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { pathname } = new URL(req.url ?? '/', 'http://registry')
    if (pathname === '/api/auth/get_credentials' && req.method === 'GET') return credentials.answer(req, res, tenants, tenantTokenOf)
    if (pathname === '/api/token') return logins.answer(req, res)
    if (pathname === '/code' && options.codePageUser !== undefined) return logins.codePage(res, options.codePageUser)
    if (pathname !== '/graphql') return send(res, 404, { message: 'Not found' })
    if (req.method !== 'POST') return send(res, 405, { message: 'Use POST' }, { allow: 'POST' })
    const text = await readBody(req)
    if (text === null) return send(res, 413, { message: 'Request body too large' })
    const body = parseBody(text)
    const authorization = req.headers.authorization ?? null
    const token = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1] ?? null
    const recorded: RecordedRequest = {
      operationName: body?.operationName ?? null,
      query: body?.query ?? null,
      variables: body?.variables ?? null,
      authorization,
      token,
      traceparent: req.headers.traceparent?.toString() ?? null
    }
    requests.push(recorded)

    const action = await options.intercept?.(recorded)
    if (action !== undefined) {
      if ('destroy' in action) {
        req.socket.destroy()
        return
      }
      if ('status' in action) return send(res, action.status, action.body ?? '', action.headers)
      if ('graphqlErrors' in action) return send(res, 200, { data: null, errors: action.graphqlErrors })
      await delay(action.delayMs, undefined, { signal: closing.signal }).catch(() => {})
      // The client may have given up (a gateway timeout test) or the registry is closing.
      if (res.destroyed || closing.signal.aborted) return
    }

    const tenantToken = token !== null ? tenantTokenOf(token) : undefined
    // Own keys only: a token such as "__proto__" must not find a tenant.
    const tenant = tenantToken !== undefined && Object.hasOwn(tenants, tenantToken) ? tenants[tenantToken] : undefined
    if (tenant === undefined) return send(res, 401, { message: 'Invalid or missing credentials' })
    if (body === null) return send(res, 400, { errors: [{ message: 'Body must be JSON: { query, operationName?, variables? }' }] })
    const document = checkDocument(schema, body.query)
    if ('errors' in document) return send(res, 400, document)
    const result = await execute({
      schema,
      document,
      rootValue: withDataFields(createRootValue(tenant, behaviour), tenant),
      variableValues: body.variables,
      operationName: body.operationName
    })
    // No `data` means the request itself was wrong (bad variables, unknown operation name).
    send(res, 'data' in result ? 200 : 400, result)
  }

  const server = createServer((req, res) => {
    answer(req, res).catch((err: unknown) => {
      if (res.headersSent) res.destroy()
      else send(res, 500, { errors: [{ message: `Sample registry failure: ${String(err)}` }] })
    })
  })
  // Idle connections stay open as long as behind the real registry's load balancer (ALB: 60 s), not
  // Node's 5 s: on a busy machine the gateway's pool reused connections this server had just closed,
  // and tests saw "could not reach the registry" (or no answer) where no fault was injected.
  server.keepAliveTimeout = 65_000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { address, port } = server.address() as AddressInfo
  let closed: Promise<void> | undefined
  return {
    url: `http://${address.includes(':') ? `[${address}]` : address}:${port}`,
    requests,
    tenants,
    era,
    credentials,
    logins,
    apiKeys,
    close: () => {
      closed ??= new Promise<void>((resolve, reject) => {
        closing.abort()
        server.close((err) => (err ? reject(err) : resolve()))
        // Idle keep-alive connections would otherwise hold close() open until they time out.
        server.closeAllConnections()
      })
      return closed
    }
  }
}
