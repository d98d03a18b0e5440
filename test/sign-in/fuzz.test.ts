import t from 'tap'
import { ACME_TOKEN } from '../../packages/sample-stack/src/data.js'
import { startSampleRegistry } from '../../packages/sample-stack/src/server.js'
import type { Stack } from '../../src/config/stacks.js'
import { startGateway } from '../helpers/app.js'
import { mulberry32 } from '../helpers/random.js'
import { startRedis } from '../helpers/redis.js'
import { consent, pkce, REDIRECT_URI, registerClient, tokenRequest } from '../helpers/sign-in.js'

/*
 * Hosts give up on a 500 from an auth endpoint: whatever the input, the sign-in server answers a
 * client error (JSON for the API endpoints, a page for the consent page), never a 5xx.
 * Reproduce a failure with FUZZ_SEED=<seed printed below>.
 */

const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 32))
const CASES = 600
const registry = await startSampleRegistry()
t.teardown(() => registry.close())
const stack: Stack = { name: 'QUILT_REGISTRY_URL', hosts: [], registryUrl: registry.url }

t.test(`random input to every sign-in endpoint (seed ${SEED})`, async (t) => {
  const gateway = await startGateway(t, { stacks: [stack], maxEventLoopDelayMs: 0, logLevel: 'warn' })
  const r = mulberry32(SEED)
  const clientId = await registerClient(gateway.url)
  const sealedLooking = () => `eyJ${r.text(10)}.${r.text(5)}.${r.text(12)}.${r.text(30)}.${r.text(16)}`.replace(/[^\w.-]/g, 'A')
  const value = () => r.pick([r.text(r.int(40)), r.unicode(r.int(20)), sealedLooking(), clientId, '', 'S256', 'plain', 'code', 'https://127.0.0.1/x', 'http://x/', REDIRECT_URI, 'a'.repeat(5000)])
  const names = ['response_type', 'client_id', 'redirect_uri', 'code_challenge', 'code_challenge_method', 'state', 'scope', 'resource', 'grant_type', 'code', 'code_verifier', 'refresh_token', 'request', 'credential', 'write', 'action', r.text(5)]
  const params = () => {
    const p = new URLSearchParams()
    for (let i = r.int(8); i > 0; i--) p.append(r.pick(names), value())
    return p
  }
  const paths = ['/mcp/oauth/authorize', '/mcp/oauth/token', '/mcp/oauth/register', '/.well-known/oauth-authorization-server', '/.well-known/oauth-authorization-server/mcp/oauth', '/mcp/oauth/x']
  const statuses = new Map<number, number>()
  for (let i = 0; i < CASES; i++) {
    const path = r.pick(paths)
    const method = r.pick(['GET', 'POST', 'POST', 'POST', 'PUT', 'OPTIONS'])
    const type = r.pick(['application/x-www-form-urlencoded', 'application/json', 'text/plain', 'multipart/form-data; boundary=x', ''])
    const body = method === 'GET' ? undefined : r.pick([params().toString(), JSON.stringify(Object.fromEntries(params())), JSON.stringify({ redirect_uris: [value(), value()], client_name: value() }), r.text(r.int(200)), r.unicode(30), '{', '[]', 'null'])
    const response = await fetch(`${gateway.url}${path}${method === 'GET' ? `?${params().toString()}` : ''}`, {
      method, redirect: 'manual', body, headers: type === '' || body === undefined ? {} : { 'content-type': type }
    })
    const text = await response.text()
    statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1)
    if (response.status >= 500) {
      t.fail(`${method} ${path} answered ${response.status}: ${text.slice(0, 200)}`)
      continue
    }
    const kind = response.headers.get('content-type') ?? ''
    if (response.status >= 400 && !kind.startsWith('application/json') && !kind.startsWith('text/html')) t.fail(`${method} ${path}: ${response.status} as ${kind}`)
  }
  t.comment(`statuses: ${[...statuses].map(([status, count]) => `${status}×${count}`).join(' ')}`)
  t.notOk([...statuses.keys()].some((status) => status >= 500), 'no 5xx')
})

t.test('with Redis down, redeeming a code fails closed: 503 with Retry-After, never a second use', async (t) => {
  const redis = await startRedis(t)
  const gateway = await startGateway(t, { stacks: [stack], maxEventLoopDelayMs: 0, rateLimitRedisUrl: redis.url })
  const clientId = await registerClient(gateway.url)
  const { verifier, challenge } = pkce()
  const url = `${gateway.url}/mcp/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: REDIRECT_URI, code_challenge: challenge, code_challenge_method: 'S256' })}`
  const back = await consent(url, registry.logins.issueCode(ACME_TOKEN))
  await redis.kill()
  const answer = await tokenRequest(gateway.url, { grant_type: 'authorization_code', code: back.get('code')!, code_verifier: verifier, client_id: clientId, redirect_uri: REDIRECT_URI })
  t.equal(answer.status, 503)
  t.equal(answer.body.error, 'temporarily_unavailable')
  t.ok(answer.headers.get('retry-after'))
})
