import t from 'tap'
import { readFile } from 'node:fs/promises'
import { CONFIG_VARIABLES, loadConfig } from '../../src/config/config.js'
import { ConfigError } from '../../src/config/secret-source.js'

const secret = 'x'.repeat(40)
// What every serve configuration needs besides the secret: the registries tokens may point at.
const hosts = { MCP_ALLOWED_REGISTRY_HOSTS: 'registry.example.com' }

t.test('defaults from the README\'s Configuration table', async (t) => {
  const config = loadConfig({ MCP_JWT_SECRET: secret, ...hosts })
  t.match(config, {
    port: 8000,
    host: '0.0.0.0',
    mcpPath: '/mcp',
    secretRefreshSeconds: 300,
    graphqlTimeoutMs: 30000,
    graphqlMutationTimeoutMs: 60000,
    logLevel: 'info',
    trustProxy: false,
    maxTokenLifetimeSeconds: 604800,
    allowedRegistryHosts: ['registry.example.com'],
    corsOrigins: [],
    rateLimitMax: 600,
    rateLimitWindowSeconds: 60,
    maxEventLoopDelayMs: 1000,
    bodyLimitBytes: 4194304,
    maxBatchMessages: 10,
    tenantMaxConcurrentCalls: 8,
    maxResponseBytes: 8388608,
    headersTimeoutMs: 10000,
    requestTimeoutMs: 30000,
    handlerTimeoutMs: 70000
  })
  t.match(loadConfig({ MCP_JWT_SECRET: secret, ...hosts, MCP_RATE_LIMIT_MAX: '0', MCP_MAX_EVENT_LOOP_DELAY_MS: '0' }), { rateLimitMax: 0, maxEventLoopDelayMs: 0 }, '0 turns the rate limit and load shedding off')
})

t.test('the secret is trimmed, lists are split, SSM needs a region', async (t) => {
  t.same(loadConfig({ MCP_JWT_SECRET: ` ${secret}\n`, ...hosts }).secretSource, { kind: 'value', value: secret })
  t.same(loadConfig({ MCP_JWT_SECRET: secret, MCP_ALLOWED_REGISTRY_HOSTS: 'Registry.Example.com, b.example.com:8443,' }).allowedRegistryHosts, ['registry.example.com', 'b.example.com:8443'])
  t.same(loadConfig({ MCP_JWT_SECRET_SSM_PARAMETER: '/quilt/mcp', AWS_DEFAULT_REGION: 'eu-west-1', ...hosts }).secretSource, { kind: 'ssm', parameter: '/quilt/mcp', region: 'eu-west-1' })
  t.equal(loadConfig({ MCP_JWT_SECRET: secret, ...hosts, MCP_PUBLIC_URL: 'https://catalog.example.com/' }).publicUrl, 'https://catalog.example.com')
  t.equal(loadConfig({ MCP_JWT_SECRET: secret, ...hosts, MCP_PUBLIC_URL: '' }).publicUrl, undefined, 'empty means unset')
})

t.test('a bad value stops start-up with a line naming the variable', async (t) => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{}, /exactly one of MCP_JWT_SECRET/],
    [{ MCP_JWT_SECRET: secret, MCP_JWT_SECRET_SSM_PARAMETER: '/p' }, /exactly one of/],
    [{ MCP_JWT_SECRET: 'short\n' }, /MCP_JWT_SECRET: .*at least 32 bytes/],
    [{ MCP_JWT_SECRET_SSM_PARAMETER: '/p' }, /AWS_REGION/],
    [{ MCP_JWT_SECRET: secret, PORT: 'eighty' }, /^PORT: must be a whole number from 0 to 65535 \(got "eighty"\)$/],
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
    t.throws(() => loadConfig({ ...hosts, ...env }), { name: 'ConfigError', message }, JSON.stringify(env))
  }
  t.ok(new ConfigError('x') instanceof Error)
})

t.test('fail closed: no registry allow-list, no start; * is an explicit opt-in', async (t) => {
  for (const value of [undefined, '', ' , ']) {
    t.throws(() => loadConfig({ MCP_JWT_SECRET: secret, MCP_ALLOWED_REGISTRY_HOSTS: value }), { message: /^MCP_ALLOWED_REGISTRY_HOSTS is not set: list the registry hosts .* or set it to \* to allow any https host$/ }, JSON.stringify(value))
  }
  t.same(loadConfig({ MCP_JWT_SECRET: secret, MCP_ALLOWED_REGISTRY_HOSTS: '*' }).allowedRegistryHosts, ['*'])
  t.same(loadConfig({ MCP_JWT_SECRET: secret, MCP_ALLOWED_REGISTRY_HOSTS: '127.0.0.1:*, [::1]:4000' }).allowedRegistryHosts, ['127.0.0.1:*', '[::1]:4000'])
})

t.test('empty values mean the default, never 0', async (t) => {
  const config = loadConfig({ MCP_JWT_SECRET: secret, ...hosts, PORT: '', HOST: '', MCP_RATE_LIMIT_MAX: ' ', MCP_MAX_EVENT_LOOP_DELAY_MS: '', MCP_BODY_LIMIT_BYTES: '', LOG_LEVEL: '', MCP_PATH: '', MCP_TRUST_PROXY: '', MCP_MAX_TOKEN_LIFETIME_SECONDS: '' })
  t.match(config, { port: 8000, host: '0.0.0.0', rateLimitMax: 600, maxEventLoopDelayMs: 1000, bodyLimitBytes: 4194304, logLevel: 'info', mcpPath: '/mcp', trustProxy: false, maxTokenLifetimeSeconds: 604800 })
})

t.test('values that could never match are refused, one line each, in our words', async (t) => {
  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ MCP_CORS_ORIGINS: 'catalog.example' }, /^MCP_CORS_ORIGINS: "catalog.example" is not an origin; write it as a browser sends it/],
    [{ MCP_CORS_ORIGINS: 'https://catalog.example/app' }, /^MCP_CORS_ORIGINS: "https:\/\/catalog.example\/app" is not an origin/],
    [{ MCP_ALLOWED_REGISTRY_HOSTS: 'https://registry.example.com' }, /^MCP_ALLOWED_REGISTRY_HOSTS: "https:\/\/registry.example.com" is a URL; list host names/],
    [{ MCP_JWT_SECRET: 'change-me-to-a-random-secret-of-at-least-32-bytes' }, /^MCP_JWT_SECRET: this is the placeholder from .env.example/],
    [{ MCP_RATE_LIMIT_MAX: 'lots' }, /^MCP_RATE_LIMIT_MAX: must be a whole number of 0 or more \(got "lots"\)$/],
    [{ MCP_TRUST_PROXY: 'yes' }, /^MCP_TRUST_PROXY: must be true or false$/],
    [{ MCP_MAX_TOKEN_LIFETIME_SECONDS: '0' }, /^MCP_MAX_TOKEN_LIFETIME_SECONDS: must be a whole number of 1 or more/],
    [{ LOG_LEVEL: 'loud' }, /^LOG_LEVEL: must be one of fatal, error, warn, info, debug, trace, silent$/],
    [{ PORT: '1.5', MCP_GRAPHQL_TIMEOUT_MS: '-3' }, /^PORT: must be a whole number from 0 to 65535 \(got "1.5"\)\nMCP_GRAPHQL_TIMEOUT_MS: must be a whole number of 1 or more \(got "-3"\)$/]
  ]
  for (const [env, message] of cases) {
    t.throws(() => loadConfig({ MCP_JWT_SECRET: secret, ...hosts, ...env }), { name: 'ConfigError', message }, JSON.stringify(env))
  }
  t.same(loadConfig({ MCP_JWT_SECRET: secret, ...hosts, MCP_CORS_ORIGINS: 'https://Catalog.Example.com/, http://localhost:3000' }).corsOrigins, ['https://catalog.example.com', 'http://localhost:3000'], 'origins normalised as browsers send them')
})

t.test('README and .env.example document every variable', async (t) => {
  const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8')
  const example = await readFile(new URL('../../.env.example', import.meta.url), 'utf8')
  for (const name of CONFIG_VARIABLES) {
    t.ok(readme.includes(`\`${name}\``), `README documents ${name}`)
    t.match(example, new RegExp(`^#? ?${name}=`, 'm'), `.env.example lists ${name}`)
  }
})
