import { DEFAULT_MAX_TOKEN_LIFETIME_SECONDS } from '../config/config.js'
import { normaliseSecret } from '../config/secret-source.js'
import { isLoopbackHost } from '../registry-address.js'
import { ssmSecretReader } from '../auth/secret-store.js'
import { parseTtl, signHs256 } from '../auth/token.js'
import { parseCommand } from './flags.js'
import type { CommandIo } from './program.js'
import { UsageError } from './usage-error.js'

export const TOKEN_USAGE = `Usage: quilt-mcp-gateway token --catalog-token <token> --registry-url <url> [options]

Mints an HS256 gateway token for testing and prints it on stdout.

Options:
  --catalog-token <token>  the tenant's registry credential (claim catalog_token)     required
  --registry-url <url>     the tenant's registry, e.g. https://registry.example.com   required
  --catalog-url <url>      the catalog web UI, for links (claim catalog_url)
  --sub <id>               subject (claim sub)                                          default: local-user
  --email <address>        claim email
  --ttl <lifetime>         lifetime: 90, 90s, 15m, 12h or 7d; tokens always expire,    default: 1h
                           at most MCP_MAX_TOKEN_LIFETIME_SECONDS (default 7d)
  --issuer <iss>           claim iss (default: MCP_JWT_ISSUER)
  --audience <aud>         claim aud (default: MCP_JWT_AUDIENCE)
  --secret <secret>        signing secret; else MCP_JWT_SECRET, else the SSM parameter
                           MCP_JWT_SECRET_SSM_PARAMETER (with AWS_REGION)
  -h, --help               this text`

async function resolveSecret (flag: string | undefined, env: NodeJS.ProcessEnv): Promise<string> {
  if (flag !== undefined) return normaliseSecret(flag, '--secret')
  if (env.MCP_JWT_SECRET !== undefined && env.MCP_JWT_SECRET.trim() !== '') return normaliseSecret(env.MCP_JWT_SECRET, 'MCP_JWT_SECRET')
  const parameter = env.MCP_JWT_SECRET_SSM_PARAMETER
  const region = env.AWS_REGION ?? env.AWS_DEFAULT_REGION
  if (parameter !== undefined && parameter !== '') {
    if (region === undefined) throw new UsageError('AWS_REGION is required to read MCP_JWT_SECRET_SSM_PARAMETER')
    return ssmSecretReader(parameter, region)()
  }
  throw new UsageError('no signing secret: pass --secret, or set MCP_JWT_SECRET or MCP_JWT_SECRET_SSM_PARAMETER')
}

/** Why the gateway would refuse this registry_url whatever its allow-list says, or undefined. */
function registryUrlProblem (value: string): string | undefined {
  if (!URL.canParse(value)) return `is not a URL: ${value}`
  const url = new URL(value)
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return `must be an https URL (got ${url.protocol.slice(0, -1)})`
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) return 'must be https: plain http is accepted only for a loopback registry'
  if (url.username !== '' || url.password !== '') return 'must not carry a user name or password'
  return undefined
}

/** The gateway's MCP_MAX_TOKEN_LIFETIME_SECONDS when it is set to a usable value, else its default. */
function maxTokenLifetime (env: NodeJS.ProcessEnv): number {
  const value = Number(env.MCP_MAX_TOKEN_LIFETIME_SECONDS)
  return Number.isInteger(value) && value > 0 ? value : DEFAULT_MAX_TOKEN_LIFETIME_SECONDS
}

export async function token (args: string[], { stdout, env }: CommandIo): Promise<void> {
  const values = parseCommand(args, {
    'catalog-token': { type: 'string' },
    'registry-url': { type: 'string' },
    'catalog-url': { type: 'string' },
    sub: { type: 'string', default: 'local-user' },
    email: { type: 'string' },
    ttl: { type: 'string', default: '1h' },
    issuer: { type: 'string' },
    audience: { type: 'string' },
    secret: { type: 'string' }
  }, TOKEN_USAGE, stdout)
  if (values === undefined) return
  const catalogToken = values['catalog-token']
  const registryUrl = values['registry-url']
  if (catalogToken === undefined || registryUrl === undefined) throw new UsageError('--catalog-token and --registry-url are required (see --help)')
  if (catalogToken.trim() === '') throw new UsageError('--catalog-token is empty; the gateway refuses a token without a catalog credential')
  const registryProblem = registryUrlProblem(registryUrl)
  if (registryProblem !== undefined) throw new UsageError(`--registry-url ${registryProblem}`)
  const ttl = parseTtl(values.ttl)
  if (ttl === undefined) throw new UsageError(`--ttl must be a positive lifetime such as 3600, 15m, 12h or 7d (got "${values.ttl}"); tokens without expiry are refused`)
  const maxLifetime = maxTokenLifetime(env)
  if (ttl > maxLifetime) throw new UsageError(`--ttl ${values.ttl} is longer than the gateway accepts (MCP_MAX_TOKEN_LIFETIME_SECONDS=${maxLifetime})`)
  const secret = await resolveSecret(values.secret, env)
  const now = Math.floor(Date.now() / 1000)
  const claims = {
    sub: values.sub,
    email: values.email,
    catalog_token: catalogToken,
    registry_url: registryUrl,
    catalog_url: values['catalog-url'],
    iss: values.issuer ?? env.MCP_JWT_ISSUER,
    aud: values.audience ?? env.MCP_JWT_AUDIENCE,
    iat: now,
    exp: now + ttl
  }
  stdout.write(`${signHs256(claims, secret)}\n`)
}
