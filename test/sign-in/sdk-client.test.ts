import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import t from 'tap'
import { ACME_TOKEN } from '../../packages/sample-stack/src/data.js'
import { startSampleRegistry } from '../../packages/sample-stack/src/server.js'
import type { Stack } from '../../src/config/stacks.js'
import { startGateway } from '../helpers/app.js'
import { startRedis } from '../helpers/redis.js'
import { consent, MemoryOAuthProvider, roundRobin } from '../helpers/sign-in.js'

// The MCP TypeScript SDK's own OAuth client, end to end, against two replicas behind one origin that
// share only their configuration and Redis: every step may land on either replica.

const registry = await startSampleRegistry()
t.teardown(() => registry.close())
// Shorter than the gateway's renewal margin: every refresh renews the registry session.
registry.logins.sessionLifetimeSeconds = 200
const redis = await startRedis(t)
const stack: Stack = { name: 'QUILT_REGISTRY_URL', hosts: [], registryUrl: registry.url, catalogUrl: registry.url }
const config = { stacks: [stack], rateLimitRedisUrl: redis.url, maxEventLoopDelayMs: 0 }
const replicaA = await startGateway(t, config)
const replicaB = await startGateway(t, config)
const origin = await roundRobin(t, [replicaA.url, replicaB.url])
const mcpUrl = new URL(`${origin.url}/mcp`)

async function connect (provider: MemoryOAuthProvider): Promise<Client> {
  const client = new Client({ name: 'sign-in-test', version: '1.0.0' })
  await client.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider }))
  t.teardown(() => client.close())
  return client
}

const textOf = (result: Awaited<ReturnType<Client['callTool']>>) => (result.content as Array<{ type: string, text?: string }>).map((part) => part.text ?? '').join('\n')

t.test('401 → metadata → registration → consent → code → token → tools → refresh, across two replicas', async (t) => {
  const provider = new MemoryOAuthProvider()
  const started = performance.now()
  const transport = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider })
  const first = new Client({ name: 'sign-in-test', version: '1.0.0' })
  await t.rejects(first.connect(transport), /Unauthorized/, 'the first connection needs a sign-in')
  t.ok(provider.client?.client_id, 'the SDK registered itself (DCR) from the discovered metadata')
  t.equal(provider.authorizationUrl?.origin, origin.url, 'the consent page is on the gateway\'s origin')
  t.equal(provider.authorizationUrl?.searchParams.get('code_challenge_method'), 'S256')

  const loginCode = registry.logins.issueCode(ACME_TOKEN)
  const back = await consent(provider.authorizationUrl!, loginCode)
  t.equal(back.get('iss'), `${origin.url}/mcp/oauth`, 'the redirect names the issuer (RFC 9207)')
  t.equal(back.get('state'), provider.authorizationUrl!.searchParams.get('state'), 'state comes back')
  await transport.finishAuth(back.get('code')!)
  t.match(provider.saved, { token_type: 'Bearer', scope: 'quilt:read quilt:write' })

  const client = await connect(provider)
  const { tools } = await client.listTools()
  const signInMs = performance.now() - started
  t.ok(tools.some((tool) => tool.name === 'package_create'), 'a read-write sign-in is offered the writing tools')
  const status = await client.callTool({ name: 'auth_status', arguments: {} })
  t.notOk(status.isError)
  t.match(textOf(status), /alice/, 'the tools run as the user whose login code was typed')
  t.comment(`full SDK sign-in (401 to tools/list, two replicas, Redis): ${signInMs.toFixed(0)} ms`)

  // The registry session has ended and the access token is refused: the SDK refreshes by itself, and
  // the refresh renews the registry session with its refresh token (quilt3's exchange).
  const exchanges = registry.logins.exchanges
  const oldRefresh = provider.saved!.refresh_token
  registry.logins.expireSessions()
  provider.saved = { ...provider.saved!, access_token: 'expired-or-garbage' }
  const again = await client.callTool({ name: 'auth_status', arguments: {} })
  t.notOk(again.isError, 'the call succeeds after the SDK refreshed')
  t.match(textOf(again), /alice/)
  t.not(provider.saved!.refresh_token, oldRefresh, 'the refresh token was rotated')
  t.equal(registry.logins.exchanges, exchanges + 1, 'the registry session was renewed once')
  t.ok(origin.served.every((count) => count > 0), `both replicas served the sign-in (${origin.served.join(' + ')} requests)`)

  // Nothing secret reached either replica's log.
  const logs = replicaA.logs.text + replicaB.logs.text
  const secrets = [loginCode, oldRefresh, provider.saved!.refresh_token!, provider.saved!.access_token, back.get('code')!,
    ...registry.requests.map((request) => request.token).filter((token): token is string => token !== null)].filter((secret): secret is string => secret !== undefined)
  for (const secret of new Set(secrets)) t.notOk(logs.includes(secret), `log lines hold no ${secret.slice(0, 5)}... secret`)
  t.ok(logs.includes('sign-in allowed'), 'the sign-in itself is logged')
})

t.test('a user who unticks "Allow changes" gets a sign-in offered, and allowed, read-only tools only', async (t) => {
  const provider = new MemoryOAuthProvider()
  const transport = new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider })
  await t.rejects(new Client({ name: 'ro', version: '1' }).connect(transport), /Unauthorized/)
  const back = await consent(provider.authorizationUrl!, registry.logins.issueCode(ACME_TOKEN), { write: false })
  await transport.finishAuth(back.get('code')!)
  t.equal(provider.saved?.scope, 'quilt:read')
  const client = await connect(provider)
  const { tools } = await client.listTools()
  t.ok(tools.length > 3, 'reading tools are offered')
  t.ok(tools.every((tool) => tool.annotations?.readOnlyHint === true), 'every offered tool is read-only')
  t.notOk(tools.some((tool) => tool.name === 'package_delete'))
  const refused = await client.callTool({ name: 'package_delete', arguments: { bucket: 'quilt-example', package_name: 'examples/wellplates' } })
  t.equal(refused.isError, true)
  t.match(textOf(refused), /allows reading only/)
  t.notOk(registry.requests.some((request) => request.operationName === 'PackageRevisionDelete'), 'nothing reached the registry')
})
