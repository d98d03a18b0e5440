import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import { loadConfig } from '../../src/config/config.js'
import { SecretStore } from '../../src/auth/secret-store.js'
import { StackDirectory } from '../../src/auth/stacks-directory.js'
import type { Stack } from '../../src/config/stacks.js'
import { LogSink } from '../helpers/log-sink.js'
import pino from 'pino'

const secret = 'x'.repeat(40)
const dir = await mkdtemp(join(tmpdir(), 'quilt-mcp-stacks-test-'))
t.teardown(() => rm(dir, { recursive: true, force: true }))
let files = 0

async function stacksFile (content: unknown): Promise<string> {
  const path = join(dir, `stacks-${files++}.json`)
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content))
  return path
}

const entry = (overrides: Record<string, unknown> = {}) => ({
  hosts: ['registry.example.com'],
  registry_url: 'https://registry.example.com',
  secret: { value: `  ${'s'.repeat(40)}\n` },
  ...overrides
})

t.test('QUILT_REGISTRY_URL is the default stack, on the gateway\'s secret', async (t) => {
  t.same(loadConfig({ MCP_JWT_SECRET: secret, MCP_ALLOWED_REGISTRY_HOSTS: '*' }).stacks, [], 'no stack by default')
  t.same(loadConfig({ MCP_JWT_SECRET: secret, QUILT_REGISTRY_URL: 'https://Registry.Example.com/', QUILT_CATALOG_URL: 'https://catalog.example.com/' }).stacks, [
    { name: 'QUILT_REGISTRY_URL', hosts: [], registryUrl: 'https://registry.example.com', catalogUrl: 'https://catalog.example.com' }
  ])
  t.equal(loadConfig({ MCP_JWT_SECRET: secret, QUILT_REGISTRY_URL: 'http://127.0.0.1:4000' }).stacks[0]?.registryUrl, 'http://127.0.0.1:4000', 'plain http on loopback')
  t.same(loadConfig({ MCP_JWT_SECRET: secret, QUILT_REGISTRY_URL: '', MCP_ALLOWED_REGISTRY_HOSTS: '*' }).stacks, [], 'empty means unset')
})

t.test('MCP_STACKS_FILE: each stack with hosts, URLs and its own secret source', async (t) => {
  const path = await stacksFile([
    entry({ name: 'prod', hosts: ['Registry.Example.com', 'registry.example.com:8443'], catalog_url: 'https://catalog.example.com' }),
    entry({ hosts: ['[::1]:9000'], registry_url: 'https://registry.other.org', secret: { ssm_parameter: '/quilt/other/secret' } }),
    entry({ hosts: ['third.example.org'], registry_url: 'https://third.example.org', secret: { ssm_parameter: '/p', region: 'eu-west-1' } })
  ])
  const { stacks } = loadConfig({ MCP_JWT_SECRET: secret, MCP_STACKS_FILE: path, AWS_REGION: 'us-east-2', QUILT_REGISTRY_URL: 'https://default.example.com' })
  t.same(stacks, [
    { name: 'prod', hosts: ['registry.example.com', 'registry.example.com:8443'], registryUrl: 'https://registry.example.com', catalogUrl: 'https://catalog.example.com', secretSource: { kind: 'value', value: 's'.repeat(40) } },
    { name: '[::1]:9000', hosts: ['[::1]:9000'], registryUrl: 'https://registry.other.org', catalogUrl: undefined, secretSource: { kind: 'ssm', parameter: '/quilt/other/secret', region: 'us-east-2' } },
    { name: 'third.example.org', hosts: ['third.example.org'], registryUrl: 'https://third.example.org', catalogUrl: undefined, secretSource: { kind: 'ssm', parameter: '/p', region: 'eu-west-1' } },
    { name: 'QUILT_REGISTRY_URL', hosts: [], registryUrl: 'https://default.example.com', catalogUrl: undefined }
  ], 'names default to the first host; secrets are trimmed; SSM region defaults to AWS_REGION')
})

t.test('a bad stacks file or stack variable stops start-up with one line naming the file and the entry', async (t) => {
  const cases: Array<[unknown, RegExp]> = [
    ['{not json', /^MCP_STACKS_FILE .*stacks-\d+\.json: not valid JSON/],
    [{ stacks: [] }, /: the file: /],
    [[], /: the file: must list at least one stack$/],
    [[entry({ hosts: [] })], /: stack 0 hosts: /],
    [[entry(), entry({ hosts: ['https://b.example.com/'] })], /: stack 1 hosts\.0: must be a host name or host:port/],
    [[entry({ registry_url: 'registry.example.com' })], /: stack 0 registry_url: must be an http\(s\) URL/],
    [[entry({ registry_url: 'http://registry.example.com' })], /: stack 0 registry_url: must be https/],
    [[entry({ registry_url: 'https://user:pw@registry.example.com' })], /: stack 0 registry_url: must be an http\(s\) URL without credentials/],
    [[entry({ secret: { value: 'short' } })], /: stack 0 \(registry\.example\.com\) secret: the JWT secret must be at least 32 bytes/],
    [[entry({ secret: { ssm_parameter: '/p' } })], /: stack 0 \(registry\.example\.com\): secret\.region is required/],
    [[entry({ secret: { value: secret, ssm_parameter: '/p' } })], /: stack 0 secret: must be \{"value"/],
    [[entry({ secret: {} })], /: stack 0 secret: must be/],
    [[entry({ registry: 'https://x' })], /: stack 0: Unrecognized key/],
    [[entry({ name: 'QUILT_REGISTRY_URL' })], /: stack 0 name: is reserved for the QUILT_REGISTRY_URL stack$/],
    [[entry(), entry({ hosts: ['b.example.com', 'REGISTRY.example.com'] })], /: stack 1 \(b\.example\.com\): host registry\.example\.com is also used by stack 0$/],
    [[entry({ name: 'x' }), entry({ name: 'x', hosts: ['b.example.com'] })], /: stack 1 \(x\): name "x" is also used by stack 0$/]
  ]
  for (const [content, message] of cases) {
    const path = await stacksFile(content)
    t.throws(() => loadConfig({ MCP_JWT_SECRET: secret, MCP_STACKS_FILE: path }), { name: 'ConfigError', message }, JSON.stringify(content))
  }
  t.throws(() => loadConfig({ MCP_JWT_SECRET: secret, MCP_STACKS_FILE: join(dir, 'missing.json') }), { message: /^MCP_STACKS_FILE .*missing\.json: cannot read it \(ENOENT\)$/ })
  t.throws(() => loadConfig({ MCP_JWT_SECRET: secret, QUILT_CATALOG_URL: 'https://catalog.example.com' }), { message: /QUILT_CATALOG_URL is set without QUILT_REGISTRY_URL/ })
  t.throws(() => loadConfig({ MCP_JWT_SECRET: secret, QUILT_REGISTRY_URL: 'http://registry.example.com' }), { message: /^QUILT_REGISTRY_URL: must be https/ })
  t.throws(() => loadConfig({ MCP_JWT_SECRET: secret, QUILT_REGISTRY_URL: 'https://r.example.com', QUILT_CATALOG_URL: 'catalog' }), { message: /^QUILT_CATALOG_URL: must be an http/ })
})

t.test('the stack of a Host: listed hosts only, else the default stack, else none', async (t) => {
  const store = new SecretStore(async () => secret, { refreshMs: 60_000, log: pino({ level: 'silent' }, new LogSink()) })
  const stack = (name: string, hosts: string[]): Stack => ({ name, hosts, registryUrl: `https://${name}.example.com:8443` })
  const a = { stack: stack('a', ['a.example.com']), secrets: store }
  const b = { stack: stack('b', ['b.example.com:8443']), secrets: store }
  const fallback = { stack: stack('default', []), secrets: store }
  const withDefault = new StackDirectory([a, b, fallback])
  const fileOnly = new StackDirectory([a, b])
  const cases: Array<[string | undefined, typeof a | undefined, typeof a | undefined]> = [
    ['a.example.com', a, a],
    ['A.Example.COM:443', a, a],
    ['b.example.com:8443', b, b],
    ['b.example.com', fallback, undefined],
    ['b.example.com:9000', fallback, undefined],
    ['example.com', fallback, undefined],
    ['a.example.com.evil.org', fallback, undefined],
    [undefined, fallback, undefined]
  ]
  for (const [host, expectedWithDefault, expectedFileOnly] of cases) {
    t.equal(withDefault.forHost(host), expectedWithDefault, `${host}: with a default stack`)
    t.equal(fileOnly.forHost(host), expectedFileOnly, `${host}: stacks file only`)
  }
  t.same(withDefault.registryHosts, ['a.example.com:8443', 'b.example.com:8443', 'default.example.com:8443'])
})

t.test('Quilt Connect: QUILT_CONNECT_URL for the default stack, connect_url per entry; kept as written, checked as registry URLs are', async (t) => {
  const config = loadConfig({ MCP_JWT_SECRET: secret, QUILT_REGISTRY_URL: 'https://registry.example.com', QUILT_CONNECT_URL: 'https://quilt-connect.example.com:443/' })
  t.equal(config.stacks[0]?.connectUrl, 'https://quilt-connect.example.com:443', 'the port Connect spells out is kept; the trailing slash is not')
  const path = await stacksFile([entry({ connect_url: 'http://127.0.0.1:7000' })])
  t.equal(loadConfig({ MCP_JWT_SECRET: secret, MCP_STACKS_FILE: path }).stacks[0]?.connectUrl, 'http://127.0.0.1:7000', 'plain http on loopback')
  const refusals: Array<[NodeJS.ProcessEnv, RegExp]> = [
    [{ QUILT_CONNECT_URL: 'https://quilt-connect.example.com', MCP_ALLOWED_REGISTRY_HOSTS: '*' }, /^QUILT_CONNECT_URL is set without QUILT_REGISTRY_URL/],
    [{ QUILT_REGISTRY_URL: 'https://registry.example.com', QUILT_CONNECT_URL: 'http://quilt-connect.example.com' }, /^QUILT_CONNECT_URL: must be https \(plain http only on loopback\)/],
    [{ QUILT_REGISTRY_URL: 'https://registry.example.com', QUILT_CONNECT_URL: 'quilt-connect.example.com' }, /^QUILT_CONNECT_URL: must be an http\(s\) URL/],
    [{ MCP_STACKS_FILE: await stacksFile([entry({ connect_url: 'http://connect.example.com' })]) }, /stack 0 connect_url: must be https/]
  ]
  for (const [env, message] of refusals) t.throws(() => loadConfig({ MCP_JWT_SECRET: secret, ...env }), { message }, JSON.stringify(env))
})
