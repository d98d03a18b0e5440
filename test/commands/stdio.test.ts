import { spawn } from 'node:child_process'
import path from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import t, { type Test } from 'tap'
import { CLI_ARGS, cliEnv, runCli } from '../helpers/cli.js'
import { ACME_TOKEN, GLOBEX_TOKEN, startFakeRegistry } from '../helpers/fake-registry.js'

type Env = Record<string, string>

/** The official SDK client spawning `quilt-mcp-gateway stdio`, as a desktop MCP client does. */
async function connectStdio (t: Test, env: Env): Promise<{ client: Client, stderr: () => string }> {
  const transport = new StdioClientTransport({ command: process.execPath, args: [...CLI_ARGS, 'stdio'], env, stderr: 'pipe' })
  let stderr = ''
  transport.stderr?.on('data', (chunk: Buffer) => { stderr += chunk.toString() })
  const client = new Client({ name: 'stdio-test', version: '1.0.0' })
  await client.connect(transport)
  t.teardown(() => client.close())
  return { client, stderr: () => stderr }
}

const text = (result: Awaited<ReturnType<Client['callTool']>>) => (result.content as Array<{ text?: string }>)[0]?.text ?? ''

/** HOME and XDG_DATA_HOME (<HOME>/xdg) in the test's own directory, so no real quilt3 login is found. */
const homeEnv = (home: string): Env => ({ PATH: process.env.PATH ?? '', HOME: home, XDG_DATA_HOME: path.join(home, 'xdg') })
const emptyHome = (t: Test): Env => homeEnv(t.testdir({}))

t.test('stdio with QUILT_CATALOG_TOKEN and QUILT_REGISTRY_URL: tools/list and tool calls', async (t) => {
  const registry = await startFakeRegistry(t)
  const { client, stderr } = await connectStdio(t, { ...emptyHome(t), QUILT_CATALOG_TOKEN: ACME_TOKEN, QUILT_REGISTRY_URL: `${registry.url}/` })
  const { tools } = await client.listTools()
  t.ok(tools.some((tool) => tool.name === 'packages_list') && tools.some((tool) => tool.name === 'package_create'), 'the gateway\'s tools')
  const me = await client.callTool({ name: 'auth_status', arguments: {} })
  t.notOk(me.isError)
  t.match(text(me), /Signed in to the Quilt catalog as alice <alice@acme\.example>/)
  const list = await client.callTool({ name: 'packages_list', arguments: { bucket: 's3://quilt-example' } })
  t.notOk(list.isError)
  t.match(list.structuredContent, { bucket: 'quilt-example', total: 3 })
  t.ok(registry.requests.length >= 2 && registry.requests.every((r) => r.authorization === `Bearer ${ACME_TOKEN}`), 'the catalog token is what the registry sees')
  t.match(stderr(), /"msg":"serving MCP over stdio"/, 'a start-up log line on stderr')
  t.match(stderr(), `"registry":"${registry.url}"`, 'naming the registry (normalised)')
  t.notMatch(stderr(), ACME_TOKEN, 'never the token')
})

t.test('stdio answers what was piped in, writes only JSON-RPC to stdout, and exits when stdin ends', async (t) => {
  const registry = await startFakeRegistry(t)
  const child = spawn(process.execPath, [...CLI_ARGS, 'stdio'], {
    env: cliEnv({ ...emptyHome(t), QUILT_CATALOG_TOKEN: ACME_TOKEN, QUILT_REGISTRY_URL: registry.url, LOG_LEVEL: 'debug' })
  })
  let stdout = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => { stdout += chunk })
  const exited = new Promise<number | null>((resolve) => child.once('close', resolve))
  const calls = ['bucket_list', 'auth_status'].map((name, i) => ({ jsonrpc: '2.0', id: i + 1, method: 'tools/call', params: { name, arguments: {} } }))
  child.stdin.end(calls.map((call) => `${JSON.stringify(call)}\n`).join(''))
  t.equal(await exited, 0, 'exit code 0 once everything is answered')
  const answers = stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { id: number, result: { isError?: boolean } })
  t.same(answers.map((answer) => answer.id).sort(), [1, 2], 'one answer per request and nothing else')
  t.ok(answers.every((answer) => answer.result.isError !== true))
})

t.test('not logged in: one line on stderr naming the remedy, exit code 2, nothing on stdout', async (t) => {
  const { code, stdout, stderr } = await runCli(['stdio'], emptyHome(t))
  t.equal(code, 2)
  t.equal(stdout, '')
  t.match(stderr, /^quilt-mcp-gateway: No quilt3 login found: .*`quilt3 login`.*QUILT_CATALOG_TOKEN and QUILT_REGISTRY_URL/)
  t.equal(stderr.trim().split('\n').length, 1, 'one line')

  const half = await runCli(['stdio'], { ...emptyHome(t), QUILT_CATALOG_TOKEN: ACME_TOKEN })
  t.equal(half.code, 2, 'a token without a registry is refused, not silently replaced by the saved login')
  t.match(half.stderr, /QUILT_CATALOG_TOKEN is set but QUILT_REGISTRY_URL is not/)
  const badTimeout = await runCli(['stdio'], { ...emptyHome(t), MCP_GRAPHQL_TIMEOUT_MS: 'soon' })
  t.equal(badTimeout.code, 2)
  t.match(badTimeout.stderr, /MCP_GRAPHQL_TIMEOUT_MS: /)
})

/** A quilt3 data directory as quilt3 writes it: config.yml (yaml.dump) and auth.json keyed by registryUrl. */
function savedLogin (t: Test, registryUrl: string, expiresAt: number): Env {
  const auth = { [registryUrl]: { refresh_token: 'refresh-not-used', access_token: GLOBEX_TOKEN, expires_at: expiresAt } }
  return homeEnv(t.testdir({
    xdg: {
      Quilt: {
        'config.yml': `navigator_url: https://catalog.example.com\nregistryUrl: ${registryUrl}\ndefault_local_registry: null\n`,
        'auth.json': JSON.stringify(auth)
      }
    }
  }))
}

t.test('the quilt3 saved login is used when no QUILT_* variables are set', async (t) => {
  const registry = await startFakeRegistry(t)
  const expiresAt = Math.floor(Date.now() / 1000) + 3600
  const { client } = await connectStdio(t, savedLogin(t, registry.url, expiresAt))
  const me = await client.callTool({ name: 'auth_status', arguments: {} })
  t.notOk(me.isError)
  t.match(text(me), /as bob <bob@globex\.example>/, 'the saved access token selects the tenant')
  t.match(me.structuredContent, { token: { expires_at: new Date(expiresAt * 1000).toISOString(), catalog_url: 'https://catalog.example.com' } }, 'expiry and catalog from the login')
  const link = await client.callTool({ name: 'catalog_url', arguments: { bucket: 'globex-public' } })
  t.equal(text(link), 'https://catalog.example.com/b/globex-public/tree/', 'navigator_url becomes the catalog for links')
})

t.test('an expired saved login is refused with the refresh remedy', async (t) => {
  const registry = await startFakeRegistry(t)
  const { code, stdout, stderr } = await runCli(['stdio'], savedLogin(t, registry.url, Math.floor(Date.now() / 1000) - 10))
  t.equal(code, 2)
  t.equal(stdout, '')
  t.match(stderr, /^quilt-mcp-gateway: The quilt3 access token for .* expired at /)
  t.equal(registry.requests.length, 0, 'nothing sent to the registry')
})

t.test('stdio --help', async (t) => {
  const { code, stdout } = await runCli(['stdio', '--help'])
  t.equal(code, 0)
  t.match(stdout, /^Usage: quilt-mcp-gateway stdio/)
})
