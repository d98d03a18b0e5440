import t from 'tap'
import { buildTestApp } from '../helpers/app.js'
import { runCli, spawnCli } from '../helpers/cli.js'
import { startFakeSsm } from '../helpers/fake-ssm.js'
import { TEST_SECRET } from '../helpers/tokens.js'

const required = ['--catalog-token', 'demo-catalog-token', '--registry-url', 'http://127.0.0.1:4000']
const toolsList = { jsonrpc: '2.0', id: 1, method: 'tools/list' }

t.test('a minted token verifies against the gateway and carries the claims', async (t) => {
  const { stdout, stderr, code } = await runCli(['token', ...required, '--catalog-url', 'https://catalog.example.com', '--sub', 'alice', '--ttl', '15m', '--secret', TEST_SECRET])
  t.equal(code, 0, stderr)
  const token = stdout.trim()
  t.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/, 'only the token on stdout')
  const claims = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, number | string>
  t.match(claims, { sub: 'alice', catalog_token: 'demo-catalog-token', registry_url: 'http://127.0.0.1:4000', catalog_url: 'https://catalog.example.com' })
  t.equal(Number(claims.exp) - Number(claims.iat), 900)
  const { app } = await buildTestApp(t)
  const res = await app.inject({ method: 'POST', url: '/mcp', headers: { authorization: `Bearer ${token}` }, payload: toolsList })
  t.equal(res.statusCode, 200)
})

t.test('the secret can come from MCP_JWT_SECRET or the SSM parameter', async (t) => {
  const fromEnv = await runCli(['token', ...required], { MCP_JWT_SECRET: `${TEST_SECRET}\n` })
  t.equal(fromEnv.code, 0, fromEnv.stderr)
  const ssm = await startFakeSsm(t, `${TEST_SECRET}\n`)
  const fromSsm = await runCli(['token', ...required], {
    MCP_JWT_SECRET_SSM_PARAMETER: '/quilt/mcp/jwt-secret', AWS_REGION: 'us-east-1', AWS_ENDPOINT_URL_SSM: ssm.url, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test'
  })
  t.equal(fromSsm.code, 0, fromSsm.stderr)
  const { app } = await buildTestApp(t)
  for (const token of [fromEnv.stdout.trim(), fromSsm.stdout.trim()]) {
    const res = await app.inject({ method: 'POST', url: '/mcp', headers: { authorization: `Bearer ${token}` }, payload: toolsList })
    t.equal(res.statusCode, 200)
  }
})

t.test('bad flags give a one-line error and exit code 2', async (t) => {
  const cases: Array<[string[], RegExp]> = [
    [['token', '--registry-url', 'http://x'], /--catalog-token and --registry-url are required/],
    [['token', ...required, '--ttl', '0', '--secret', TEST_SECRET], /--ttl must be a positive lifetime .*without expiry are refused/],
    [['token', ...required, '--ttl', 'forever', '--secret', TEST_SECRET], /--ttl must be/],
    [['token', ...required], /no signing secret/],
    [['token', ...required, '--secret', 'short'], /at least 32 bytes/],
    [['token', '--catalog-token', 'x', '--registry-url', 'not a url', '--secret', TEST_SECRET], /--registry-url is not a URL/],
    [['token', '--bogus'], /Unknown option '--bogus'.*\(see --help\)/],
    [['frobnicate'], /unknown command "frobnicate"/]
  ]
  for (const [args, message] of cases) {
    const { code, stdout, stderr } = await runCli(args)
    t.equal(code, 2, args.join(' '))
    t.equal(stdout, '', 'nothing on stdout')
    t.match(stderr, message)
    t.equal(stderr.trim().split('\n').length, 1, 'one line')
  }
})

t.test('no token the gateway would refuse: empty catalog token, a registry it never calls, a lifetime too long', async (t) => {
  const cases: Array<[string[], RegExp, NodeJS.ProcessEnv?]> = [
    [['--catalog-token', '', '--registry-url', 'https://registry.example.com'], /^quilt-mcp-gateway: --catalog-token is empty/],
    [['--catalog-token', ' ', '--registry-url', 'https://registry.example.com'], /^quilt-mcp-gateway: --catalog-token is empty/],
    [['--catalog-token', 'x', '--registry-url', 'ftp://registry.example.com'], /^quilt-mcp-gateway: --registry-url must be an https URL \(got ftp\)\n$/],
    [['--catalog-token', 'x', '--registry-url', 'http://registry.example.com'], /plain http is accepted only for a loopback registry/],
    [['--catalog-token', 'x', '--registry-url', 'https://u:p@registry.example.com'], /must not carry a user name or password/],
    [[...required, '--ttl', '8d'], /^quilt-mcp-gateway: --ttl 8d is longer than the gateway accepts \(MCP_MAX_TOKEN_LIFETIME_SECONDS=604800\)\n$/],
    [[...required, '--ttl', '2h'], /MCP_MAX_TOKEN_LIFETIME_SECONDS=3600/, { MCP_MAX_TOKEN_LIFETIME_SECONDS: '3600' }]
  ]
  for (const [args, message, env = {}] of cases) {
    const { code, stdout, stderr } = await runCli(['token', ...args, '--secret', TEST_SECRET], env)
    t.equal(code, 2, args.join(' '))
    t.equal(stdout, '', 'no token printed')
    t.match(stderr, message)
  }
})

t.test('the real process: a usage mistake exits with code 2 and one line on stderr, nothing on stdout', async (t) => {
  // The one spawn: exit codes and the streams of a real process, which the in-process runs stand in for.
  const { code, stdout, stderr } = await spawnCli(['token', '--bogus'])
  t.equal(code, 2)
  t.equal(stdout, '')
  t.match(stderr, /^quilt-mcp-gateway: Unknown option '--bogus'.*\(see --help\)\n$/)
})

t.test('--help on each command', async (t) => {
  for (const args of [['--help'], ['token', '--help'], ['serve', '--help']]) {
    const { code, stdout } = await runCli(args)
    t.equal(code, 0)
    t.match(stdout, /^Usage: quilt-mcp-gateway/)
  }
})
