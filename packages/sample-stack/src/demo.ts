import { randomBytes } from 'node:crypto'
import { loadConfig } from '../../../src/config/config.js'
import { ACME_TOKEN } from './data.js'
import { startSampleRegistry, type SampleRegistry } from './server.js'
import { startServer } from '../../../src/server.js'
import { signHs256 } from '../../../src/auth/token.js'
import { displayHost, explainListenError, parseCommand, parsePort } from '../../../src/commands/flags.js'
import type { CommandIo } from '../../../src/commands/program.js'

export const DEMO_USAGE = `Usage: npm run demo -- [--port 8000] [--host 127.0.0.1] [--registry-port 0]

Starts the gateway together with an embedded sample Quilt registry (a real GraphQL server with a few
buckets and packages), a local S3 (s3rver) and Athena holding their files and a tabulator table,
signs a token for it with a throw-away secret, and prints how to call it.
Nothing leaves this machine. Stop it with Ctrl-C.

Options:
  --port <port>           gateway port; 0 picks a free one              default: $PORT, else 8000
  --host <address>        gateway listen address                        default: $HOST, else 127.0.0.1
  --registry-port <port>  sample registry port (always on 127.0.0.1)   default: 0 (any free one)
  -h, --help              this text

The gateway reads the rest of its configuration from the environment as "serve" does (MCP_CORS_ORIGINS
for a catalog on another origin, LOG_LEVEL, MCP_PATH, MCP_PUBLIC_URL, limits, ...), except the signing
secret (a random one, so the token below is the only one it accepts) and MCP_ALLOWED_REGISTRY_HOSTS
(exactly the embedded registry).`

/** The catalog the demo's links point at; it does not exist, the links only show their shape. */
const DEMO_CATALOG_URL = 'https://demo.quilt.example'
const TOKEN_HOURS = 12

export interface DemoHandle {
  gatewayUrl: string
  /** The MCP endpoint (MCP_PATH under gatewayUrl). */
  mcpUrl: string
  registry: SampleRegistry
  /** Endpoints of the local S3 and Athena holding the sample data. */
  dataUrls: { s3: string, athena: string }
  token: string
  /** Where an OAuth host signs in (the sign-in server fronting the sample registry), unless MCP_OAUTH=off. */
  signIn?: { codePage: string, code: string }
  /** How long the token is valid: TOKEN_HOURS, or less when MCP_MAX_TOKEN_LIFETIME_SECONDS says so. */
  tokenHours: number
  close: () => Promise<void>
}

/**
 * The environment as the demo's gateway reads it: the user's settings, with the secret and the
 * registry allow-list replaced by the demo's own, and a quiet log unless LOG_LEVEL says otherwise.
 */
function demoEnvironment (env: NodeJS.ProcessEnv, overrides: Record<string, string>): NodeJS.ProcessEnv {
  const { MCP_JWT_SECRET_SSM_PARAMETER: _ssm, ...rest } = env
  return { LOG_LEVEL: 'warn', ...rest, ...overrides }
}

/** Starts the demo and returns what it prints about (tests drive it through the real command line). */
export async function startDemo (options: { port: number, host: string, registryPort: number }, env: NodeJS.ProcessEnv = {}): Promise<DemoHandle> {
  // Loopback only: the gateway accepts a plain-http registry on loopback and nowhere else.
  // Its /code page shows the sample user's one-time login codes, as the catalog's does for a signed-in user.
  const registry = await startSampleRegistry({ port: options.registryPort, host: '127.0.0.1', codePageUser: ACME_TOKEN })
    .catch((err: unknown) => { throw explainListenError(err, '--registry-port', options.registryPort) })
  // The user's data: a local S3 (s3rver, temp directory) and Athena, taking the registry's credentials.
  // Loaded here, not at the top: every other command would otherwise pay for s3rver at start-up.
  const [{ startSampleS3 }, { startSampleAthena }] = await Promise.all([import('./sample-s3.js'), import('./sample-athena.js')])
  const s3 = await startSampleS3({ tenants: registry.tenants, credentials: [registry.credentials] })
  const athena = await startSampleAthena({ credentials: [registry.credentials], tenants: registry.tenants })
  const closeData = () => Promise.all([s3.close(), athena.close()])
  const secret = randomBytes(32).toString('base64url')
  let config
  try {
    config = loadConfig(demoEnvironment(env, {
      MCP_JWT_SECRET: secret,
      PORT: String(options.port),
      HOST: options.host,
      MCP_ALLOWED_REGISTRY_HOSTS: new URL(registry.url).host,
      // The gateway fronts the sample registry, so OAuth hosts sign in to it with a login code (MCP_OAUTH).
      // The sample registry stands in for the catalog too: its /code page gives the codes.
      QUILT_REGISTRY_URL: registry.url,
      QUILT_CATALOG_URL: registry.url,
      AWS_ENDPOINT_URL_S3: s3.url,
      AWS_ENDPOINT_URL_ATHENA: athena.url
    }))
  } catch (err) {
    await closeData()
    await registry.close()
    throw err
  }
  const app = await startServer(config).catch(async (err: unknown) => {
    await closeData()
    await registry.close()
    throw explainListenError(err, '--port', options.port, options.host)
  })
  // startServer has already listened, when Fastify takes no more hooks. The HTTP server's 'close'
  // comes once in-flight requests (which may still need the registry) have finished.
  app.server.once('close', () => { registry.close().catch(() => {}); closeData().catch(() => {}) })
  const address = app.server.address()
  const port = typeof address === 'object' && address !== null ? address.port : options.port
  const now = Math.floor(Date.now() / 1000)
  const lifetimeSeconds = Math.min(TOKEN_HOURS * 3600, config.maxTokenLifetimeSeconds)
  const token = signHs256({
    sub: 'demo-user',
    email: 'demo@quilt.example',
    catalog_token: ACME_TOKEN,
    registry_url: registry.url,
    catalog_url: DEMO_CATALOG_URL,
    iss: config.jwtIssuer,
    aud: config.jwtAudience,
    iat: now,
    exp: now + lifetimeSeconds
  }, secret)
  const gatewayUrl = `http://${displayHost(options.host)}:${port}`
  const signIn = config.oauth === 'off' ? undefined : { codePage: `${registry.url}/code`, code: registry.logins.issueCode(ACME_TOKEN) }
  return { gatewayUrl, mcpUrl: `${gatewayUrl}${config.mcpPath}`, registry, dataUrls: { s3: s3.url, athena: athena.url }, token, signIn, tokenHours: Number((lifetimeSeconds / 3600).toFixed(2)), close: () => app.close() }
}

/** Where things listen and where the secret comes from (never the secret), for stderr. */
function startupLines ({ gatewayUrl, mcpUrl, registry, dataUrls }: DemoHandle): string {
  const tenant = registry.tenants[ACME_TOKEN]
  const buckets = tenant?.buckets.map((bucket) => bucket.name).join(', ') ?? ''
  return [
    `  sample registry  ${registry.url}/graphql  (in memory; user ${tenant?.me.email ?? '?'}, buckets ${buckets})`,
    `  S3 and Athena    ${dataUrls.s3} (s3rver, temp directory), ${dataUrls.athena} (sample tabulator table); no AWS account`,
    `  gateway          ${mcpUrl}  (health: ${gatewayUrl}/healthz)`,
    '  JWT secret       random, generated in memory for this run (MCP_JWT_SECRET and SSM are not read)',
    ''
  ].join('\n')
}

/** How an OAuth host (Claude, VS Code, Cursor, mcp-remote, the Inspector) connects by URL alone. */
function signInLines ({ mcpUrl: mcp, signIn }: DemoHandle): string {
  if (signIn === undefined) return ''
  return `
Connect an MCP host that signs in with OAuth (Claude Code, VS Code, Cursor, mcp-remote, the MCP Inspector)
by URL alone: paste

  ${mcp}

as the server URL (e.g. "npx mcp-remote ${mcp}", or "claude mcp add --transport http quilt ${mcp}").
Your browser opens the gateway's consent page; paste this one-time login code there (it works once, for
10 minutes; ${signIn.codePage} gives a fresh one on every visit, as the catalog's /code page does):

  ${signIn.code}
`
}

function instructions ({ mcpUrl: mcp, token, tokenHours }: DemoHandle): string {
  const curl = (body: string) => `curl -s ${mcp} \\\n    -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \\\n    -d '${body}'`
  return `
Quilt MCP gateway demo on ${mcp}

A token for the sample tenant, valid ${tokenHours} hours or until the demo stops (its secret dies with it):

  export TOKEN=${token}

List the tools:

  ${curl('{"jsonrpc":"2.0","id":1,"method":"tools/list"}')}

Call one (the latest revision of a package, its metadata and history):

  ${curl('{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"package_info","arguments":{"bucket":"quilt-example","package_name":"examples/wellplates"}}}')}

Read a file of that package (its bytes come from the local S3, with the user's temporary credentials):

  ${curl('{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"package_file_text","arguments":{"bucket":"quilt-example","package_name":"examples/wellplates","path":"data/summary.csv","max_bytes":400}}}')}

Get a download link for it (plain HTTP GET on the link returns the file):

  ${curl('{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"package_file_link","arguments":{"bucket":"quilt-example","package_name":"examples/wellplates","path":"data/summary.csv"}}}')}

Find its tabulator table's columns, then query it (the demo's Athena knows the tabulator tables and
evaluates no SQL):

  ${curl('{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"athena_table_schema","arguments":{"catalog":"quilt-sample-tabulator","database":"quilt-example","table":"wellplates_summary"}}}')}

  ${curl('{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"athena_query","arguments":{"sql":"SELECT * FROM wellplates_summary LIMIT 5"}}}')}

See an image, as a model does (from a bucket in another region: the gateway learns it from S3's redirect):

  ${curl('{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"bucket_object_fetch","arguments":{"s3_uri":"s3://cellpainting-data/cellpainting/thumbnails/well-A01.png"}}}')}

Upload a small file (an existing key is never replaced unless "overwrite": true):

  ${curl('{"jsonrpc":"2.0","id":8,"method":"tools/call","params":{"name":"bucket_objects_put","arguments":{"bucket":"quilt-example","items":[{"key":"uploads/hello.txt","text":"hello"}]}}}')}

MCP Inspector (needs Node 22 or newer), from the command line:

  npx @modelcontextprotocol/inspector --cli ${mcp} --transport http --header "Authorization: Bearer $TOKEN" --method tools/list

or run "npx @modelcontextprotocol/inspector", choose Transport "Streamable HTTP", URL ${mcp},
and add the header "Authorization: Bearer <the token above>".
`
}

/** A flag, else the environment variable (empty counts as unset), else the default. */
const flagOrEnv = (flag: string | undefined, value: string | undefined, fallback: string) =>
  flag ?? (value !== undefined && value.trim() !== '' ? value.trim() : fallback)

export async function demo (args: string[], { stdout, stderr, env }: CommandIo): Promise<void> {
  const values = parseCommand(args, {
    port: { type: 'string' },
    host: { type: 'string' },
    'registry-port': { type: 'string', default: '0' }
  }, DEMO_USAGE, stdout)
  if (values === undefined) return
  const port = parsePort(values.port !== undefined ? '--port' : 'PORT', flagOrEnv(values.port, env.PORT, '8000'))
  const host = flagOrEnv(values.host, env.HOST, '127.0.0.1')
  const registryPort = parsePort('--registry-port', values['registry-port'])
  stderr.write('Starting the sample registry and the gateway...\n')
  const handle = await startDemo({ port, host, registryPort }, env)
  stderr.write(startupLines(handle))
  stdout.write(`${instructions(handle)}${signInLines(handle)}\nPress Ctrl-C to stop.\n`)
}
