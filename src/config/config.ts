import { z } from 'zod'
import { registryHostEntryProblem } from '../registry-address.js'
import { ConfigError, normaliseSecret, type SecretSource } from './secret-source.js'
import { loadStacks, type Stack } from './stacks.js'
import { toolsetList, type Toolset } from './toolsets.js'

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

// Empty counts as unset, so the default applies: ECS task templates pass unfilled optional values as "",
// and `PORT=` must not become port 0 (any free port) nor `MCP_RATE_LIMIT_MAX=` a limit of 0 (off).
const unsetWhenEmpty = <S extends z.ZodType>(schema: S) =>
  z.preprocess((value) => typeof value === 'string' && value.trim() === '' ? undefined : value, schema)

/** A comma list whose entries are checked (and normalised) one by one; blanks are dropped so "a, b," means [a, b]. */
const commaList = (check: (item: string) => { value: string } | { problem: string }) =>
  z.string().optional().transform((raw, ctx) => {
    const items = (raw ?? '').split(',').map((item) => item.trim()).filter((item) => item.length > 0)
    return items.map((item) => {
      const checked = check(item)
      if ('problem' in checked) ctx.addIssue({ code: 'custom', message: checked.problem })
      return 'value' in checked ? checked.value : item
    })
  })

const optionalString = z.string().trim().optional().transform((value) => value === '' ? undefined : value)

/** A whole number in [min, max]; the message says so in words, never zod's "expected number, received NaN". */
const integer = (fallback: number, min: number, max = Number.MAX_SAFE_INTEGER) => unsetWhenEmpty(
  z.string().optional().transform((raw, ctx) => {
    if (raw === undefined) return fallback
    const value = Number(raw.trim())
    if (!/^\d+$/.test(raw.trim()) || value < min || value > max) {
      const range = max === Number.MAX_SAFE_INTEGER ? `of ${min} or more` : `from ${min} to ${max}`
      ctx.addIssue({ code: 'custom', message: `must be a whole number ${range} (got "${raw}")` })
      return z.NEVER
    }
    return value
  }))
const positiveInt = (fallback: number) => integer(fallback, 1)

/** Room for a bucket_objects_put call (2 MiB of files, base64 and JSON around them); deploy/'s nginx matches it. */
export const DEFAULT_BODY_LIMIT_BYTES = 4 * 1024 * 1024
// For limits where 0 means "off".
const nonNegativeInt = (fallback: number) => integer(fallback, 0)

/** A browser origin as browsers send it (scheme://host[:port]); anything else could never match. */
function corsOrigin (entry: string): { value: string } | { problem: string } {
  const url = URL.canParse(entry) ? new URL(entry) : undefined
  if (url === undefined || !/^https?:$/.test(url.protocol) || url.host === '' || url.origin !== entry.replace(/\/$/, '').toLowerCase()) {
    return { problem: `"${entry}" is not an origin; write it as a browser sends it, e.g. https://catalog.example.com (scheme, host, optional port, no path)` }
  }
  return { value: url.origin }
}

function registryHost (entry: string): { value: string } | { problem: string } {
  const value = entry.toLowerCase()
  const problem = registryHostEntryProblem(value)
  return problem === undefined ? { value } : { problem }
}

/**
 * Default longest token lifetime: 7 days. Catalog and quilt3 clients refresh their short-lived session
 * tokens, and the demo and `token` command mint hours; a week bounds a leaked token without refusing
 * any token a client uses as intended. Raise MCP_MAX_TOKEN_LIFETIME_SECONDS for longer-lived tokens.
 */
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 7 * 24 * 3600

const EnvSchema = z.object({
  PORT: integer(8000, 0, 65535),
  HOST: unsetWhenEmpty(z.string().default('0.0.0.0')),
  MCP_PATH: unsetWhenEmpty(z.string().regex(/^\/[A-Za-z0-9._~/-]*[^/]$/, 'must start with "/" and not end with "/"').default('/mcp')),
  MCP_PUBLIC_URL: unsetWhenEmpty(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://catalog.example.com' }).optional())
    .transform((value) => value?.replace(/\/+$/, '')),
  MCP_TRUST_PROXY: unsetWhenEmpty(z.enum(['true', 'false'], { error: 'must be true or false' }).default('false')).transform((value) => value === 'true'),
  MCP_JWT_SECRET: optionalString,
  MCP_JWT_SECRET_SSM_PARAMETER: optionalString,
  AWS_REGION: optionalString,
  AWS_DEFAULT_REGION: optionalString,
  MCP_JWT_SECRET_REFRESH_SECONDS: positiveInt(300),
  MCP_JWT_ISSUER: optionalString,
  MCP_JWT_AUDIENCE: optionalString,
  MCP_MAX_TOKEN_LIFETIME_SECONDS: positiveInt(DEFAULT_MAX_TOKEN_LIFETIME_SECONDS),
  MCP_ALLOWED_REGISTRY_HOSTS: commaList(registryHost),
  MCP_CORS_ORIGINS: commaList(corsOrigin),
  MCP_GRAPHQL_TIMEOUT_MS: positiveInt(30_000),
  MCP_GRAPHQL_MUTATION_TIMEOUT_MS: positiveInt(60_000),
  MCP_SHUTDOWN_TIMEOUT_MS: positiveInt(25_000),
  MCP_RATE_LIMIT_MAX: nonNegativeInt(600),
  MCP_RATE_LIMIT_WINDOW_SECONDS: positiveInt(60),
  MCP_RATE_LIMIT_REDIS_URL: z.union([z.literal(''), z.url({ protocol: /^rediss?$/ })]).optional().transform((value) => value === '' ? undefined : value),
  MCP_MAX_EVENT_LOOP_DELAY_MS: nonNegativeInt(1000),
  MCP_BODY_LIMIT_BYTES: positiveInt(DEFAULT_BODY_LIMIT_BYTES),
  MCP_MAX_BATCH_MESSAGES: positiveInt(10),
  MCP_TENANT_MAX_CONCURRENT_CALLS: nonNegativeInt(8),
  MCP_MAX_RESPONSE_BYTES: positiveInt(8 * 1024 * 1024),
  MCP_HEADERS_TIMEOUT_MS: positiveInt(10_000),
  MCP_REQUEST_TIMEOUT_MS: positiveInt(30_000),
  MCP_HANDLER_TIMEOUT_MS: positiveInt(70_000),
  QUILT_REGISTRY_URL: optionalString,
  QUILT_CATALOG_URL: optionalString,
  QUILT_CONNECT_URL: optionalString,
  MCP_STACKS_FILE: optionalString,
  AWS_ENDPOINT_URL_S3: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  AWS_ENDPOINT_URL_ATHENA: optionalString.pipe(z.url({ protocol: /^https?$/ }).optional()),
  MCP_ATHENA_TIMEOUT_MS: positiveInt(60_000),
  MCP_TOOLSETS: toolsetList,
  MCP_OAUTH: unsetWhenEmpty(z.enum(['on', 'off'], { error: 'must be on or off' }).optional()),
  LOG_LEVEL: unsetWhenEmpty(z.enum(LOG_LEVELS, { error: `must be one of ${LOG_LEVELS.join(', ')}` }).default('info'))
})

/** Every environment variable the gateway reads (the documentation test checks each is documented). */
export const CONFIG_VARIABLES = Object.keys(EnvSchema.shape)

export interface Config {
  port: number
  host: string
  mcpPath: string
  /** Public base URL (scheme + host) clients use, for OAuth metadata; else derived from the request */
  publicUrl?: string
  /** Whether X-Forwarded-Proto/-Host are believed (a proxy in front sets them); else only Host is read. */
  trustProxy: boolean
  secretSource: SecretSource
  secretRefreshSeconds: number
  jwtIssuer?: string
  jwtAudience?: string
  /** Longest accepted token lifetime (exp − iat, or exp − now without iat), in seconds. */
  maxTokenLifetimeSeconds: number
  /** Registry hosts a token's registry_url may point at (see registry-address.ts); empty = none. */
  allowedRegistryHosts: string[]
  corsOrigins: string[]
  graphqlTimeoutMs: number
  graphqlMutationTimeoutMs: number
  shutdownTimeoutMs: number
  /** Requests per window per tenant, per replica; 0 disables the limit. */
  rateLimitMax: number
  rateLimitWindowSeconds: number
  /** redis:// or rediss:// URL of the store that shares rate budgets across replicas; unset = per replica. */
  rateLimitRedisUrl?: string
  /** Mean event-loop delay above which MCP requests are shed with 503; 0 disables shedding. */
  maxEventLoopDelayMs: number
  bodyLimitBytes: number
  /** JSON-RPC messages one batch may hold. */
  maxBatchMessages: number
  /** Tool calls one tenant may run at once per replica (more wait their turn); 0 disables the cap. */
  tenantMaxConcurrentCalls: number
  /** Bytes of answers one response may carry; a larger answer becomes an error for its request. */
  maxResponseBytes: number
  /** Deadline for a request's headers, and for the whole request (headers and body), to arrive (408). */
  headersTimeoutMs: number
  requestTimeoutMs: number
  /** Deadline for answering an MCP request once received (504). */
  handlerTimeoutMs: number
  /** Quilt stacks whose catalog session tokens are accepted (QUILT_REGISTRY_URL, MCP_STACKS_FILE); empty = none. */
  stacks: Stack[]
  /** Region of the AWS clients for user data (S3 follows each bucket's own region; Athena runs here). */
  dataRegion: string
  /** AWS_ENDPOINT_URL_S3: an S3-compatible server instead of AWS (path-style addressing then). */
  s3Endpoint?: string
  /** AWS_ENDPOINT_URL_ATHENA */
  athenaEndpoint?: string
  /** Longest an athena_query runs before it is stopped. */
  athenaTimeoutMs: number
  /** Toolsets offered (MCP_TOOLSETS); always includes `catalog`. */
  toolsets: Toolset[]
  /**
   * MCP_OAUTH: the built-in OAuth 2.1 sign-in server (src/sign-in) for fronted stacks. `auto` (unset)
   * runs it when a stack is fronted; `off` never.
   */
  oauth: 'on' | 'off' | 'auto'
  logLevel: typeof LOG_LEVELS[number]
}

function parseEnv<S extends z.ZodType> (schema: S, env: NodeJS.ProcessEnv): z.output<S> {
  const parsed = schema.safeParse(env)
  if (!parsed.success) {
    // One line per bad variable (a list may have several bad entries: one line each, too).
    const lines = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)
    throw new ConfigError([...new Set(lines)].join('\n'))
  }
  return parsed.data
}

/** What the single-user stdio mode reads: no listener, no JWT secret, so none of those is required. */
export type LocalConfig = Pick<Config, 'graphqlTimeoutMs' | 'graphqlMutationTimeoutMs' | 'logLevel' | 'toolsets' | DataConfigField>

const LocalEnvSchema = EnvSchema.pick({
  MCP_GRAPHQL_TIMEOUT_MS: true,
  MCP_GRAPHQL_MUTATION_TIMEOUT_MS: true,
  LOG_LEVEL: true,
  AWS_REGION: true,
  AWS_DEFAULT_REGION: true,
  AWS_ENDPOINT_URL_S3: true,
  AWS_ENDPOINT_URL_ATHENA: true,
  MCP_ATHENA_TIMEOUT_MS: true,
  MCP_TOOLSETS: true
})

type DataConfigField = 'dataRegion' | 's3Endpoint' | 'athenaEndpoint' | 'athenaTimeoutMs'

/** Where user data is read (S3, Athena); us-east-1 when no region is set, as the AWS CLI assumes. */
function dataConfig (e: z.output<typeof LocalEnvSchema>): Pick<Config, DataConfigField> {
  return {
    dataRegion: e.AWS_REGION ?? e.AWS_DEFAULT_REGION ?? 'us-east-1',
    s3Endpoint: e.AWS_ENDPOINT_URL_S3,
    athenaEndpoint: e.AWS_ENDPOINT_URL_ATHENA,
    athenaTimeoutMs: e.MCP_ATHENA_TIMEOUT_MS
  }
}

/** The stdio command's configuration, with the same defaults and checks as loadConfig. */
export function loadLocalConfig (env: NodeJS.ProcessEnv = process.env): LocalConfig {
  const e = parseEnv(LocalEnvSchema, env)
  return { graphqlTimeoutMs: e.MCP_GRAPHQL_TIMEOUT_MS, graphqlMutationTimeoutMs: e.MCP_GRAPHQL_MUTATION_TIMEOUT_MS, logLevel: e.LOG_LEVEL, toolsets: e.MCP_TOOLSETS, ...dataConfig(e) }
}

/**
 * Refuses a configuration under which no token could be served, or any registry would be: the gateway
 * fails closed, so the registries tokens may point at are named (or `*` is set on purpose).
 */
export function registryPolicy (config: Pick<Config, 'allowedRegistryHosts' | 'stacks'>): void {
  // A configured stack allows its own registry, so fronting one stack needs no list.
  if (config.allowedRegistryHosts.length === 0 && config.stacks.length === 0) {
    throw new ConfigError('MCP_ALLOWED_REGISTRY_HOSTS is not set: list the registry hosts tokens may point at (e.g. registry.example.com), or set it to * to allow any https host')
  }
}

/** Parses the environment once. Throws ConfigError with one line per bad variable. */
export function loadConfig (env: NodeJS.ProcessEnv = process.env): Config {
  const e = parseEnv(EnvSchema, env)
  if ((e.MCP_JWT_SECRET === undefined) === (e.MCP_JWT_SECRET_SSM_PARAMETER === undefined)) {
    throw new ConfigError('set exactly one of MCP_JWT_SECRET (local use) and MCP_JWT_SECRET_SSM_PARAMETER (production)')
  }
  let secretSource: SecretSource
  if (e.MCP_JWT_SECRET !== undefined) {
    secretSource = { kind: 'value', value: normaliseSecret(e.MCP_JWT_SECRET, 'MCP_JWT_SECRET') }
  } else {
    const region = e.AWS_REGION ?? e.AWS_DEFAULT_REGION
    if (region === undefined) throw new ConfigError('AWS_REGION (or AWS_DEFAULT_REGION) is required with MCP_JWT_SECRET_SSM_PARAMETER')
    secretSource = { kind: 'ssm', parameter: e.MCP_JWT_SECRET_SSM_PARAMETER!, region }
  }
  if (e.MCP_REQUEST_TIMEOUT_MS < e.MCP_HEADERS_TIMEOUT_MS) {
    throw new ConfigError('MCP_REQUEST_TIMEOUT_MS (headers and body) must be at least MCP_HEADERS_TIMEOUT_MS')
  }
  const config: Config = {
    port: e.PORT,
    host: e.HOST,
    mcpPath: e.MCP_PATH,
    publicUrl: e.MCP_PUBLIC_URL,
    trustProxy: e.MCP_TRUST_PROXY,
    secretSource,
    secretRefreshSeconds: e.MCP_JWT_SECRET_REFRESH_SECONDS,
    jwtIssuer: e.MCP_JWT_ISSUER,
    jwtAudience: e.MCP_JWT_AUDIENCE,
    maxTokenLifetimeSeconds: e.MCP_MAX_TOKEN_LIFETIME_SECONDS,
    allowedRegistryHosts: e.MCP_ALLOWED_REGISTRY_HOSTS,
    corsOrigins: e.MCP_CORS_ORIGINS,
    graphqlTimeoutMs: e.MCP_GRAPHQL_TIMEOUT_MS,
    graphqlMutationTimeoutMs: e.MCP_GRAPHQL_MUTATION_TIMEOUT_MS,
    shutdownTimeoutMs: e.MCP_SHUTDOWN_TIMEOUT_MS,
    rateLimitMax: e.MCP_RATE_LIMIT_MAX,
    rateLimitWindowSeconds: e.MCP_RATE_LIMIT_WINDOW_SECONDS,
    rateLimitRedisUrl: e.MCP_RATE_LIMIT_REDIS_URL,
    maxEventLoopDelayMs: e.MCP_MAX_EVENT_LOOP_DELAY_MS,
    bodyLimitBytes: e.MCP_BODY_LIMIT_BYTES,
    maxBatchMessages: e.MCP_MAX_BATCH_MESSAGES,
    tenantMaxConcurrentCalls: e.MCP_TENANT_MAX_CONCURRENT_CALLS,
    maxResponseBytes: e.MCP_MAX_RESPONSE_BYTES,
    headersTimeoutMs: e.MCP_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: e.MCP_REQUEST_TIMEOUT_MS,
    handlerTimeoutMs: e.MCP_HANDLER_TIMEOUT_MS,
    stacks: loadStacks({ registryUrl: e.QUILT_REGISTRY_URL, catalogUrl: e.QUILT_CATALOG_URL, connectUrl: e.QUILT_CONNECT_URL, stacksFile: e.MCP_STACKS_FILE, region: e.AWS_REGION ?? e.AWS_DEFAULT_REGION }),
    ...dataConfig(e),
    toolsets: e.MCP_TOOLSETS,
    oauth: e.MCP_OAUTH ?? 'auto',
    logLevel: e.LOG_LEVEL
  }
  registryPolicy(config)
  if (config.oauth === 'on' && config.stacks.length === 0) {
    throw new ConfigError('MCP_OAUTH=on needs a fronted stack (QUILT_REGISTRY_URL or MCP_STACKS_FILE): users sign in to a stack\'s registry')
  }
  return config
}
