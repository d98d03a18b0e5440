import { randomUUID } from 'node:crypto'
import t from 'tap'
import { callerOf } from '../../src/platform/caller.js'
import type { Stack } from '../../src/config/stacks.js'
import { sessionTokenVerifier } from '../../packages/sample-stack/src/session-tokens.js'
import { signHs256 } from '../../src/auth/token.js'
import { startGateway } from '../helpers/app.js'
import { ACME_TOKEN, startFakeRegistry } from '../helpers/fake-registry.js'
import { rpc } from '../helpers/mcp-client.js'
import { signToken, TEST_SECRET } from '../helpers/tokens.js'

// Limits and the audit line key a caller by (registry, kind of credential, subject): a claims token
// with sub "7" is not the registry's session user 7, even on the same registry.

const ping = { jsonrpc: '2.0', id: 1, method: 'ping' }
const authStatus = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'auth_status', arguments: {} } }

t.test('a claims token with sub "7" and session user 7 on one registry do not share a budget', async (t) => {
  const registry = await startFakeRegistry(t, { sessionTokens: sessionTokenVerifier(TEST_SECRET, { 7: ACME_TOKEN }) })
  const stack: Stack = { name: 'QUILT_REGISTRY_URL', hosts: [], registryUrl: registry.url }
  const { url, logs } = await startGateway(t, { stacks: [stack], rateLimitMax: 2, rateLimitWindowSeconds: 600, maxEventLoopDelayMs: 0 })
  const claims = { authorization: `Bearer ${signToken({ sub: '7', catalog_token: ACME_TOKEN, registry_url: registry.url })}` }
  const session = { authorization: `Bearer ${signHs256({ id: 7, uuid: randomUUID(), exp: Math.floor(Date.now() / 1000) + 3600 }, TEST_SECRET)}` }

  t.equal((await rpc(url, authStatus, claims)).status, 200)
  t.equal((await rpc(url, ping, claims)).status, 200)
  const spent = await rpc(url, ping, claims)
  t.equal(spent.status, 429, 'the claims caller has spent its budget')
  t.equal(((await spent.json()) as { error: { data: { reason: string } } }).error.data.reason, 'rate_limited')

  const sessionCall = await rpc(url, authStatus, session)
  t.equal(sessionCall.status, 200, 'session user 7 has a budget of its own')
  t.equal(sessionCall.headers.get('x-ratelimit-remaining'), '1', 'untouched by the claims caller')

  const audit = logs.entries.filter((e) => e.name === 'audit')
  t.match(audit, [
    { user: '7', credential: 'claims', registryHost: new URL(registry.url).host, tool: 'auth_status' },
    { user: '7', credential: 'session', registryHost: new URL(registry.url).host, tool: 'auth_status' }
  ], 'the audit line names the kind of credential beside the subject')
})

t.test('caller keys: every part counts, and no spelling makes two callers one', async (t) => {
  const keys = [
    callerOf('https://a.example', 'claims', '7'),
    callerOf('https://a.example', 'session', '7'),
    callerOf('https://b.example', 'claims', '7'),
    callerOf('https://a.example', 'claims', '8'),
    // Separator look-alikes inside a part.
    callerOf('https://a.example", "7', 'claims', ''),
    callerOf('https://a.example', 'claims', '7"]')
  ].map((caller) => caller.key)
  t.equal(new Set(keys).size, keys.length)
})
