import t from 'tap'
import { readFile } from 'node:fs/promises'
import { CONFIG_VARIABLES, ConfigError, loadConfig } from '../src/config.js'

const secret = 'x'.repeat(40)

t.test('defaults from DESIGN.md', async (t) => {
  const config = loadConfig({ MCP_JWT_SECRET: secret })
  t.match(config, {
    port: 8000,
    host: '0.0.0.0',
    mcpPath: '/mcp',
    secretRefreshSeconds: 300,
    graphqlTimeoutMs: 30000,
    graphqlMutationTimeoutMs: 60000,
    logLevel: 'info',
    allowedRegistryHosts: [],
    corsOrigins: [],
    rateLimitMax: 600,
    rateLimitWindowSeconds: 60,
    maxEventLoopDelayMs: 1000,
    bodyLimitBytes: 1048576,
    maxBatchMessages: 10,
    tenantMaxConcurrentCalls: 8,
    maxResponseBytes: 8388608,
    headersTimeoutMs: 10000,
    requestTimeoutMs: 30000,
    handlerTimeoutMs: 70000
  })
  t.match(loadConfig({ MCP_JWT_SECRET: secret, MCP_RATE_LIMIT_MAX: '0', MCP_MAX_EVENT_LOOP_DELAY_MS: '0' }), { rateLimitMax: 0, maxEventLoopDelayMs: 0 }, '0 turns the rate limit and load shedding off')
})

t.test('the secret is trimmed, lists are split, SSM needs a region', async (t) => {
  t.same(loadConfig({ MCP_JWT_SECRET: ` ${secret}\n` }).secretSource, { kind: 'value', value: secret })
  t.same(loadConfig({ MCP_JWT_SECRET: secret, MCP_ALLOWED_REGISTRY_HOSTS: 'Registry.Example.com, b.example.com:8443,' }).allowedRegistryHosts, ['registry.example.com', 'b.example.com:8443'])
  t.same(loadConfig({ MCP_JWT_SECRET_SSM_PARAMETER: '/quilt/mcp', AWS_DEFAULT_REGION: 'eu-west-1' }).secretSource, { kind: 'ssm', parameter: '/quilt/mcp', region: 'eu-west-1' })
  t.equal(loadConfig({ MCP_JWT_SECRET: secret, MCP_PUBLIC_URL: 'https://catalog.example.com/' }).publicUrl, 'https://catalog.example.com')
  t.equal(loadConfig({ MCP_JWT_SECRET: secret, MCP_PUBLIC_URL: '' }).publicUrl, undefined, 'empty means unset')
})

t.test('a bad value stops start-up with a line naming the variable', async (t) => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{}, /exactly one of MCP_JWT_SECRET/],
    [{ MCP_JWT_SECRET: secret, MCP_JWT_SECRET_SSM_PARAMETER: '/p' }, /exactly one of/],
    [{ MCP_JWT_SECRET: 'short\n' }, /MCP_JWT_SECRET: .*at least 32 bytes/],
    [{ MCP_JWT_SECRET_SSM_PARAMETER: '/p' }, /AWS_REGION/],
    [{ MCP_JWT_SECRET: secret, PORT: 'eighty' }, /^invalid configuration:\n {2}PORT: /],
    [{ MCP_JWT_SECRET: secret, PORT: '70000' }, /PORT: /],
    [{ MCP_JWT_SECRET: secret, MCP_PATH: 'mcp' }, /MCP_PATH: must start with/],
    [{ MCP_JWT_SECRET: secret, LOG_LEVEL: 'loud' }, /LOG_LEVEL: /],
    [{ MCP_JWT_SECRET: secret, MCP_GRAPHQL_TIMEOUT_MS: '0' }, /MCP_GRAPHQL_TIMEOUT_MS: /],
    [{ MCP_JWT_SECRET: secret, MCP_PUBLIC_URL: 'catalog' }, /MCP_PUBLIC_URL: /],
    [{ MCP_JWT_SECRET: secret, MCP_RATE_LIMIT_MAX: '-1' }, /MCP_RATE_LIMIT_MAX: /],
    [{ MCP_JWT_SECRET: secret, MCP_RATE_LIMIT_WINDOW_SECONDS: '0' }, /MCP_RATE_LIMIT_WINDOW_SECONDS: /],
    [{ MCP_JWT_SECRET: secret, MCP_BODY_LIMIT_BYTES: '1MB' }, /MCP_BODY_LIMIT_BYTES: /],
    [{ MCP_JWT_SECRET: secret, MCP_MAX_BATCH_MESSAGES: '0' }, /MCP_MAX_BATCH_MESSAGES: /],
    [{ MCP_JWT_SECRET: secret, MCP_HEADERS_TIMEOUT_MS: '20000', MCP_REQUEST_TIMEOUT_MS: '10000' }, /MCP_REQUEST_TIMEOUT_MS \(headers and body\) must be at least MCP_HEADERS_TIMEOUT_MS/]
  ]
  for (const [env, message] of cases) {
    t.throws(() => loadConfig(env), { name: 'ConfigError', message }, JSON.stringify(env))
  }
  t.ok(new ConfigError('x') instanceof Error)
})

t.test('README and .env.example document every variable', async (t) => {
  const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8')
  const example = await readFile(new URL('../.env.example', import.meta.url), 'utf8')
  for (const name of CONFIG_VARIABLES) {
    t.ok(readme.includes(`\`${name}\``), `README documents ${name}`)
    t.match(example, new RegExp(`^#? ?${name}=`, 'm'), `.env.example lists ${name}`)
  }
})
