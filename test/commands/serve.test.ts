import { createServer, type AddressInfo } from 'node:net'
import t from 'tap'
import type { Test } from 'tap'
import { runCli, spawnCli } from '../helpers/cli.js'
import { TEST_SECRET } from '../helpers/tokens.js'

const base = { MCP_JWT_SECRET: TEST_SECRET, MCP_ALLOWED_REGISTRY_HOSTS: 'registry.example.com', HOST: '127.0.0.1' }

/** stderr as the person at the terminal reads it: every line says whose it is, none is a stack frame. */
function assertOneLineEach (t: Test, stderr: string, lines: RegExp[]): void {
  const got = stderr.trimEnd().split('\n')
  t.equal(got.length, lines.length, `${lines.length} line(s): ${stderr}`)
  lines.forEach((line, i) => t.match(got[i], line))
  t.notMatch(stderr, /\bat .*\.[jt]s:\d+|received|NaN|invalid_type/, 'no stack trace, no zod wording')
}

t.test('config errors: one line per bad variable, in our words, exit code 2 (a real process)', async (t) => {
  const { code, stdout, stderr } = await spawnCli(['serve'], { ...base, PORT: 'eighty', MCP_RATE_LIMIT_MAX: '-1', MCP_CORS_ORIGINS: 'catalog.example' })
  t.equal(code, 2)
  t.equal(stdout, '')
  assertOneLineEach(t, stderr, [
    /^quilt-mcp-gateway: PORT: must be a whole number from 0 to 65535 \(got "eighty"\)$/,
    /^quilt-mcp-gateway: MCP_CORS_ORIGINS: "catalog.example" is not an origin/,
    /^quilt-mcp-gateway: MCP_RATE_LIMIT_MAX: must be a whole number of 0 or more \(got "-1"\)$/
  ])
})

t.test('no registry allow-list: serve refuses to start and says what to set', async (t) => {
  const { code, stderr } = await runCli(['serve'], { MCP_JWT_SECRET: TEST_SECRET, HOST: '127.0.0.1', PORT: '0' })
  t.equal(code, 2)
  assertOneLineEach(t, stderr, [/^quilt-mcp-gateway: MCP_ALLOWED_REGISTRY_HOSTS is not set: list the registry hosts .* or set it to \* to allow any https host$/])
})

t.test('a busy port: one clear line, a non-zero exit, no stack trace', async (t) => {
  const blocker = createServer()
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => blocker.close(() => resolve())))
  const { port } = blocker.address() as AddressInfo
  const { code, stdout, stderr } = await runCli(['serve'], { ...base, PORT: String(port), LOG_LEVEL: 'silent' })
  t.equal(code, 2)
  t.equal(stdout, '')
  assertOneLineEach(t, stderr, [new RegExp(`^quilt-mcp-gateway: port ${port} is already in use; set PORT to a free one \\(or 0 for any\\)$`)])
})
