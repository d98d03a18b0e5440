import { z } from 'zod'

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

// Comma lists arrive as one env string; blanks are dropped so "a, b," means [a, b].
const commaList = z.string().optional().transform((value) =>
  (value ?? '').split(',').map((item) => item.trim()).filter((item) => item.length > 0))

const optionalString = z.string().trim().optional().transform((value) => value === '' ? undefined : value)

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback)
// For limits where 0 means "off".
const nonNegativeInt = (fallback: number) => z.coerce.number().int().min(0).default(fallback)

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8000),
  HOST: z.string().min(1).default('0.0.0.0'),
  MCP_PATH: z.string().regex(/^\/[A-Za-z0-9._~/-]*[^/]$/, 'must start with "/" and not end with "/"').default('/mcp'),
  // Empty counts as unset: ECS task templates pass unfilled optional values as "".
  MCP_PUBLIC_URL: z.union([z.literal(''), z.url({ protocol: /^https?$/ })]).optional().transform((value) => value === '' ? undefined : value?.replace(/\/+$/, '')),
  MCP_JWT_SECRET: optionalString,
  MCP_JWT_SECRET_SSM_PARAMETER: optionalString,
  AWS_REGION: optionalString,
  AWS_DEFAULT_REGION: optionalString,
  MCP_JWT_SECRET_REFRESH_SECONDS: positiveInt(300),
  MCP_JWT_ISSUER: optionalString,
  MCP_JWT_AUDIENCE: optionalString,
  MCP_ALLOWED_REGISTRY_HOSTS: commaList,
  MCP_CORS_ORIGINS: commaList,
  MCP_GRAPHQL_TIMEOUT_MS: positiveInt(30_000),
  MCP_GRAPHQL_MUTATION_TIMEOUT_MS: positiveInt(60_000),
  MCP_SHUTDOWN_TIMEOUT_MS: positiveInt(25_000),
  MCP_RATE_LIMIT_MAX: nonNegativeInt(600),
  MCP_RATE_LIMIT_WINDOW_SECONDS: positiveInt(60),
  MCP_RATE_LIMIT_REDIS_URL: z.union([z.literal(''), z.url({ protocol: /^rediss?$/ })]).optional().transform((value) => value === '' ? undefined : value),
  MCP_MAX_EVENT_LOOP_DELAY_MS: nonNegativeInt(1000),
  MCP_BODY_LIMIT_BYTES: positiveInt(1024 * 1024),
  LOG_LEVEL: z.enum(LOG_LEVELS).default('info')
})

/** Every environment variable the gateway reads (the documentation test checks each is documented). */
export const CONFIG_VARIABLES = Object.keys(EnvSchema.shape)

/** Where the HS256 secret comes from: given directly, or an SSM parameter read (and re-read) at run time. */
export type SecretSource =
  | { kind: 'value', value: string }
  | { kind: 'ssm', parameter: string, region: string }

export interface Config {
  port: number
  host: string
  mcpPath: string
  /** Public base URL (scheme + host) clients use, for OAuth metadata; else derived from X-Forwarded-* */
  publicUrl?: string
  secretSource: SecretSource
  secretRefreshSeconds: number
  jwtIssuer?: string
  jwtAudience?: string
  /** Lower-cased host names (host or host:port) a token's registry_url may point at; empty = any https host. */
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
  logLevel: typeof LOG_LEVELS[number]
}

export class ConfigError extends Error {
  name = 'ConfigError'
}

export const MIN_SECRET_BYTES = 32

/**
 * Trims surrounding whitespace: a secret saved with a trailing newline (echo into SSM, a file) is the
 * classic reason every signature fails. Short secrets are refused because HS256 with a guessable key
 * lets anyone mint tokens for any tenant.
 */
export function normaliseSecret (raw: string, origin: string): string {
  const secret = raw.trim()
  if (Buffer.byteLength(secret) < MIN_SECRET_BYTES) {
    throw new ConfigError(`${origin}: the JWT secret must be at least ${MIN_SECRET_BYTES} bytes after trimming whitespace (got ${Buffer.byteLength(secret)})`)
  }
  return secret
}

function parseEnv<S extends z.ZodType> (schema: S, env: NodeJS.ProcessEnv): z.output<S> {
  const parsed = schema.safeParse(env)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`)
    throw new ConfigError(`invalid configuration:\n  ${lines.join('\n  ')}`)
  }
  return parsed.data
}

/** What the single-user stdio mode reads: no listener, no JWT secret, so none of those is required. */
export type LocalConfig = Pick<Config, 'graphqlTimeoutMs' | 'graphqlMutationTimeoutMs' | 'logLevel'>

const LocalEnvSchema = EnvSchema.pick({ MCP_GRAPHQL_TIMEOUT_MS: true, MCP_GRAPHQL_MUTATION_TIMEOUT_MS: true, LOG_LEVEL: true })

/** The stdio command's configuration, with the same defaults and checks as loadConfig. */
export function loadLocalConfig (env: NodeJS.ProcessEnv = process.env): LocalConfig {
  const e = parseEnv(LocalEnvSchema, env)
  return { graphqlTimeoutMs: e.MCP_GRAPHQL_TIMEOUT_MS, graphqlMutationTimeoutMs: e.MCP_GRAPHQL_MUTATION_TIMEOUT_MS, logLevel: e.LOG_LEVEL }
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
  return {
    port: e.PORT,
    host: e.HOST,
    mcpPath: e.MCP_PATH,
    publicUrl: e.MCP_PUBLIC_URL,
    secretSource,
    secretRefreshSeconds: e.MCP_JWT_SECRET_REFRESH_SECONDS,
    jwtIssuer: e.MCP_JWT_ISSUER,
    jwtAudience: e.MCP_JWT_AUDIENCE,
    allowedRegistryHosts: e.MCP_ALLOWED_REGISTRY_HOSTS.map((host) => host.toLowerCase()),
    corsOrigins: e.MCP_CORS_ORIGINS,
    graphqlTimeoutMs: e.MCP_GRAPHQL_TIMEOUT_MS,
    graphqlMutationTimeoutMs: e.MCP_GRAPHQL_MUTATION_TIMEOUT_MS,
    shutdownTimeoutMs: e.MCP_SHUTDOWN_TIMEOUT_MS,
    rateLimitMax: e.MCP_RATE_LIMIT_MAX,
    rateLimitWindowSeconds: e.MCP_RATE_LIMIT_WINDOW_SECONDS,
    rateLimitRedisUrl: e.MCP_RATE_LIMIT_REDIS_URL,
    maxEventLoopDelayMs: e.MCP_MAX_EVENT_LOOP_DELAY_MS,
    bodyLimitBytes: e.MCP_BODY_LIMIT_BYTES,
    logLevel: e.LOG_LEVEL
  }
}
