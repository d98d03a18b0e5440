import { randomUUID } from 'node:crypto'
import t from 'tap'
import { SampleCredentials } from '../../packages/sample-stack/src/credentials.js'
import { demoTenants } from '../../packages/sample-stack/src/data.js'
import { sessionTokenVerifier } from '../../packages/sample-stack/src/session-tokens.js'
import type { Stack } from '../../src/config/stacks.js'
import { signHs256 } from '../../src/auth/token.js'
import { startGateway } from '../helpers/app.js'
import { ACME_TOKEN, startFakeRegistry } from '../helpers/fake-registry.js'
import { connectClient } from '../helpers/mcp-client.js'
import { startSampleAws } from '../helpers/sample-aws.js'
import { TEST_SECRET } from '../helpers/tokens.js'

/**
 * The catalog's own users on a fronted stack: their session token is the registry bearer for GraphQL
 * and for `/api/auth/get_credentials` alike, so the data tools work for them; and once the registry
 * refuses the session, credentials issued for it are no longer used.
 */
t.test('a catalog session token reads objects and signs links; a revoked one stops both', async (t) => {
  const tenants = demoTenants()
  const credentials = new SampleCredentials()
  // The registry's own sessions: user 7 is the acme tenant's user while this entry exists.
  const sessions: Record<string, string> = { 7: ACME_TOKEN }
  const registry = await startFakeRegistry(t, { tenants, credentials, sessionTokens: sessionTokenVerifier(TEST_SECRET, sessions) })
  const { s3 } = await startSampleAws(t, tenants, [credentials])
  const stack: Stack = { name: 'QUILT_REGISTRY_URL', hosts: [], registryUrl: registry.url, catalogUrl: 'https://catalog.example.com' }
  const { url, logs } = await startGateway(t, { stacks: [stack], s3Endpoint: s3.url, maxEventLoopDelayMs: 0 })
  const session = signHs256({ id: 7, uuid: randomUUID(), exp: Math.floor(Date.now() / 1000) + 3600 }, TEST_SECRET)
  const client = await connectClient(t, url, session)
  const readme = { s3_uri: 's3://quilt-example/examples/wellplates/README.md' }

  const text = await client.callTool({ name: 'bucket_object_text', arguments: readme })
  t.notOk(text.isError, JSON.stringify(text.content))
  t.match(text.structuredContent, { kind: 'text', text: /^# examples\/wellplates\/README\.md/ })
  const link = await client.callTool({ name: 'bucket_object_link', arguments: readme })
  t.notOk(link.isError, JSON.stringify(link.content))
  t.equal((await fetch((link.structuredContent as { url: string }).url)).status, 200, 'the link opens')
  t.same(credentials.calls, [session], 'credentials were issued once, for the session token itself')

  // The user signs out in the catalog: the registry refuses the session from now on.
  delete sessions['7']
  const status = await client.callTool({ name: 'auth_status', arguments: {} })
  t.ok(status.isError, 'the registry refuses the session')
  for (const tool of ['bucket_object_text', 'bucket_object_link']) {
    const refused = await client.callTool({ name: tool, arguments: readme })
    t.ok(refused.isError, `${tool}: refused at once, not served with the credentials issued before`)
    t.match(JSON.stringify(refused.content), /Sign in to the catalog again/, `${tool}: says what to do`)
  }
  t.same(credentials.calls, [session, session, session], 'each refused call asked the registry again')
  for (const issued of credentials.issued) t.notOk(logs.text.includes(issued.secretAccessKey), 'no secret access key in the logs')
  t.notOk(logs.text.includes(session), 'nor the session token')
})
