import t from 'tap'
import { redactSecrets, REDACTED } from '../../src/telemetry/logger.js'
import { signHs256 } from '../../src/auth/token.js'
import { LogSecrets, registerSecret, runWithLogSecrets } from '../../src/telemetry/log-secrets.js'
import { startGateway } from '../helpers/app.js'
import { ACME_TOKEN, demoTenants } from '../../packages/sample-stack/src/data.js'
import { startFakeRegistry } from '../helpers/fake-registry.js'
import { rpc } from '../helpers/mcp-client.js'
import { signToken } from '../helpers/tokens.js'

// No load shedding: these tests are about answers and logs, not about a busy machine's event loop.
const steady = { maxEventLoopDelayMs: 0 }

// A catalog token as real stacks issue them: the registry's own JWT.
const catalogJwt = signHs256({ id: 'user-7', uuid: '2f0b7c1e-0d7a-4c1a-9d7e-5b1f3c2a9e11', exp: Math.floor(Date.now() / 1000) + 3600 }, 'registry-secret-registry-secret-000')
// And an opaque one (an API key).
const opaqueToken = 'qk_Live_7Hc9xY2mZq4Lw8Rt1Vb6Ns3Jd5Kf0Gp'

const toolsCall = (name: string) => ({ jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name, arguments: {} } })

t.test('a JWT in the query string never reaches the request log', async (t) => {
  const { url, logs } = await startGateway(t, steady)
  const jwt = signToken({ catalog_token: catalogJwt })
  const res = await fetch(`${url}/mcp?access_token=${jwt}&x=1`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${jwt}` },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'ping' })
  })
  t.equal(res.status, 200)
  const notFound = await fetch(`${url}/${jwt}?access_token=${jwt}`)
  t.equal(notFound.status, 404)
  await new Promise((resolve) => setImmediate(resolve))
  const completed = logs.entries.filter((entry) => entry.msg === 'request completed')
  t.same(completed.map((entry) => entry.url), ['/mcp', `/${REDACTED}`], 'the path only, and a JWT-shaped path segment redacted')
  t.notOk(logs.text.includes(jwt), 'the gateway JWT is not logged')
  t.notOk(logs.text.includes(catalogJwt), 'nor the catalog token inside it')
  t.notOk(logs.text.includes(jwt.split('.')[1]!), 'nor its payload alone')
})

t.test('a registry that echoes Authorization in its error body: status and GraphQL messages logged, tokens not', async (t) => {
  for (const catalogToken of [catalogJwt, opaqueToken]) {
    const registry = await startFakeRegistry(t, {
      tenants: { [catalogToken]: demoTenants()[ACME_TOKEN]! },
      // The capabilities probe is answered normally: its failure would fail every call before it is made.
      intercept: (request) => request.operationName === 'GatewayCapabilities'
        ? undefined
        : request.operationName === 'BucketList'
          ? { status: 500, body: `<html>upstream error; your request had Authorization: ${request.authorization ?? ''}</html>` }
          : { graphqlErrors: [{ message: `token ${request.token ?? ''} is not allowed here (Authorization: ${request.authorization ?? ''})` }] }
    })
    const { url, logs } = await startGateway(t, steady)
    const jwt = signToken({ catalog_token: catalogToken, registry_url: registry.url })
    for (const tool of ['bucket_list', 'auth_status']) {
      const res = await rpc(url, toolsCall(tool), { authorization: `Bearer ${jwt}` })
      t.equal(res.status, 200, `${tool}: answered`)
      t.equal(((await res.json()) as { result: { isError?: boolean } }).result.isError, true, `${tool}: an error result`)
    }
    t.ok(registry.requests.length >= 2, 'the registry was called')
    const failures = logs.entries.filter((entry) => entry.msg === 'registry call failed')
    t.match(failures, [{ tool: 'bucket_list', failure: String, status: 500 }, { tool: 'auth_status', graphqlErrors: [/is not allowed here/] }], 'what failed is logged')
    t.notOk(failures.some((entry) => JSON.stringify(entry).includes('<html>')), 'upstream bodies are not logged')
    t.notOk(logs.text.includes(catalogToken), 'the catalog token is not logged')
    t.notOk(logs.text.includes(jwt), 'nor the gateway JWT')
  }
})

t.test('redactSecrets: registered values, credentials after a scheme and JWTs go; other text stays', async (t) => {
  const hash = '997d6ba34ff1a8f7c6d2e5b4a3f2e1d0c9b8a7f6e5d4c3b2a1f0e9d8c7b6a5f4'
  t.equal(redactSecrets(`Authorization: Bearer ${opaqueToken}`), `Authorization: Bearer ${REDACTED}`)
  t.equal(redactSecrets('authorization: bearer abc'), `authorization: bearer ${REDACTED}`, 'any credential after the scheme')
  t.equal(redactSecrets(`jwt=${catalogJwt}; next`), `jwt=${REDACTED}; next`)
  const registered = runWithLogSecrets(new LogSecrets(), () => {
    registerSecret(opaqueToken)
    return [redactSecrets(`key ${opaqueToken} end`), redactSecrets(`${opaqueToken}:${opaqueToken}`)]
  })
  t.same(registered, [`key ${REDACTED} end`, `${REDACTED}:${REDACTED}`], 'a registered value, wherever it stands')
  t.equal(redactSecrets(`key ${opaqueToken} end`), `key ${opaqueToken} end`, 'an unregistered token-like run is not guessed at')
  t.equal(redactSecrets(`top hash ${hash}, user 2f0b7c1e-0d7a-4c1a-9d7e-5b1f3c2a9e11`), `top hash ${hash}, user 2f0b7c1e-0d7a-4c1a-9d7e-5b1f3c2a9e11`)
  t.equal(redactSecrets('s3://quilt-example/examples/wellplates/data/plate_1.csv'), 's3://quilt-example/examples/wellplates/data/plate_1.csv')
  t.equal(redactSecrets('test/integration_lifecycle_1770736485'), 'test/integration_lifecycle_1770736485', 'a long package name')
})
