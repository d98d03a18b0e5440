import { randomBytes, randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { SampleCredentials } from '../../packages/sample-stack/src/credentials.js'
import { ACME_TOKEN, demoTenants, type TenantData } from '../../packages/sample-stack/src/data.js'
import { LogSecrets, REDACTED, registerSecret, runWithLogSecrets } from '../../src/telemetry/log-secrets.js'
import { redactSecrets } from '../../src/telemetry/logger.js'
import { startGateway } from '../helpers/app.js'
import { startFakeRegistry } from '../helpers/fake-registry.js'
import { connectClient } from '../helpers/mcp-client.js'
import { signToken } from '../helpers/tokens.js'

// Secrets leave the logs by value, whatever they look like; ordinary text stays as it is.

const steady = { maxEventLoopDelayMs: 0 }

t.test('a registry that echoes the bearer in a GraphQL error: no spelling of it reaches the log', async (t) => {
  const bearers = {
    hex: randomBytes(32).toString('hex'),
    uuid: randomUUID(),
    short: 'k9-shrt-7',
    slashes: `${randomBytes(12).toString('base64')}/${randomBytes(9).toString('base64')}+x/y`
  }
  // Each bearer is a catalog token the registry knows (the acme tenant's data under another key).
  const tenants: Record<string, TenantData> = Object.fromEntries(Object.values(bearers).map((bearer) => [bearer, demoTenants()[ACME_TOKEN]!]))
  const registry = await startFakeRegistry(t, {
    tenants,
    // Echoed without "Bearer", in a 200 answer, plain and percent-encoded.
    intercept: (request) => request.operationName === 'BucketList'
      ? { graphqlErrors: [{ message: `session ${request.token ?? ''} has no access (${encodeURIComponent(request.token ?? '')})` }] }
      : undefined
  })
  const { url, logs } = await startGateway(t, steady)
  for (const [shape, bearer] of Object.entries(bearers)) {
    const client = await connectClient(t, url, signToken({ sub: `user-${shape}`, catalog_token: bearer, registry_url: registry.url }))
    const result = await client.callTool({ name: 'bucket_list', arguments: {} })
    t.ok(result.isError, `${shape}: the registry's error is the tool's`)
    t.ok(registry.requests.some((r) => r.token === bearer), `${shape}: the registry got the token`)
  }
  const failures = logs.entries.filter((entry) => entry.msg === 'registry call failed')
  t.equal(failures.length, 4, 'each failure is logged')
  t.ok(failures.every((entry) => JSON.stringify(entry.graphqlErrors).includes(`session ${REDACTED} has no access (${REDACTED})`)), 'with the message around the token kept')
  for (const [shape, bearer] of Object.entries(bearers)) {
    t.notOk(logs.text.includes(bearer), `${shape}: never logged`)
    t.notOk(logs.text.includes(encodeURIComponent(bearer)), `${shape}: nor percent-encoded`)
    t.equal(redactSecrets(bearer), bearer, `${shape}: registered for its requests only, not for the whole process`)
  }
})

t.test('AWS credentials with "/" echoed by S3 never reach the log', async (t) => {
  const tenants = demoTenants()
  const credentials = new SampleCredentials()
  const registry = await startFakeRegistry(t, { tenants, credentials })
  // An S3 endpoint that answers every request AccessDenied, quoting the caller's credentials back.
  const s3 = createServer((req, res) => {
    const accessKeyId = /Credential=([A-Z0-9]+)\//.exec(req.headers.authorization ?? '')?.[1] ?? ''
    const issued = credentials.find(accessKeyId)
    res.writeHead(403, { 'content-type': 'application/xml' })
    res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>denied: key ${issued?.secretAccessKey ?? ''} token ${String(req.headers['x-amz-security-token'])}</Message></Error>`)
  })
  await new Promise<void>((resolve) => s3.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { s3.closeAllConnections(); s3.close(() => resolve()) }))
  const { url, logs } = await startGateway(t, { ...steady, s3Endpoint: `http://127.0.0.1:${(s3.address() as AddressInfo).port}` })
  const client = await connectClient(t, url, signToken({ catalog_token: ACME_TOKEN, registry_url: registry.url }))
  const result = await client.callTool({ name: 'bucket_objects_list', arguments: { bucket: 'quilt-example' } })
  t.ok(result.isError)
  const [issued] = credentials.issued
  t.ok(issued !== undefined && issued.secretAccessKey.includes('/') && issued.sessionToken.includes('/'), 'the credentials have the shape AWS gives them')
  const failure = logs.entries.find((entry) => entry.msg === 'data access failed')
  t.match(failure, { failure: 'access_denied', err: { message: `denied: key ${REDACTED} token ${REDACTED}` } }, 'the failure is logged, its secrets blanked')
  t.notOk(logs.text.includes(issued!.secretAccessKey), 'no secret access key')
  t.notOk(logs.text.includes(issued!.sessionToken), 'no session token')
  t.equal(redactSecrets(issued!.secretAccessKey), issued!.secretAccessKey, 'registered for the request that used them, not the process')
})

t.test('package names, hashes and UUIDs are logged as they are', async (t) => {
  const registry = await startFakeRegistry(t)
  const { url, logs } = await startGateway(t, steady)
  const client = await connectClient(t, url, signToken({ catalog_token: ACME_TOKEN, registry_url: registry.url }))
  // The README's search example.
  await client.callTool({ name: 'search_packages', arguments: { query: 'test/integration_lifecycle_1770736485' } })
  const hash = 'a'.repeat(8) + randomBytes(28).toString('hex')
  await client.callTool({ name: 'package_info', arguments: { bucket: 'quilt-example', package_name: 'examples/Wellplates_Longer_Name_For_Plate_Series_2024', hash } })
  const audit = logs.entries.filter((entry) => entry.name === 'audit')
  t.match(audit, [
    { tool: 'search_packages', args: { query: 'test/integration_lifecycle_1770736485' } },
    { tool: 'package_info', args: { package_name: 'examples/Wellplates_Longer_Name_For_Plate_Series_2024', hash } }
  ])
  t.notOk(logs.text.includes(REDACTED), 'nothing was taken for a secret')
})

t.test('registered values: every spelling, longest first, only in their own request', async (t) => {
  const secrets = new LogSecrets()
  secrets.add('abc/def+ghi "quoted"')
  secrets.add('abc/def')
  secrets.add('tiny')
  t.equal(secrets.redact('x abc/def+ghi "quoted" y'), `x ${REDACTED} y`, 'the longer secret whole, not its registered prefix')
  t.equal(secrets.redact(JSON.stringify({ m: 'abc/def+ghi "quoted"' })), `{"m":"${REDACTED}"}`, 'as JSON escapes it')
  t.equal(secrets.redact(`u=${encodeURIComponent('abc/def+ghi "quoted"')}`), `u=${REDACTED}`, 'as a URL carries it')
  t.equal(secrets.redact('tiny is not registered'), 'tiny is not registered', 'values too short to be credentials are ignored')

  const bounded = new LogSecrets(3)
  for (const value of ['first-secret', 'second-longer-secret', 'third-secret', 'fourth-secret']) bounded.add(value)
  t.same(['first-secret', 'second-longer-secret', 'third-secret', 'fourth-secret'].map((value) => bounded.redact(value)),
    ['first-secret', REDACTED, REDACTED, REDACTED], 'a bounded set forgets the oldest first')

  const other = new LogSecrets()
  const a = runWithLogSecrets(secrets, async () => { await Promise.resolve(); registerSecret('request-a-secret'); return redactSecrets('request-a-secret') })
  const b = runWithLogSecrets(other, async () => { await Promise.resolve(); return redactSecrets('request-a-secret') })
  t.same(await Promise.all([a, b]), [REDACTED, 'request-a-secret'], 'a request\'s secrets are its own (and a JWT-shaped backstop covers the rest)')
  t.equal(redactSecrets('eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln'), REDACTED, 'JWT-shaped text without registration')
})

t.test('a bearer with a lone surrogate (no URL spelling) is registered and redacted, not a 500', async (t) => {
  const secrets = new LogSecrets()
  const odd = `tok-${'\ud800'}-abcdef`
  t.doesNotThrow(() => { secrets.add(odd) })
  t.equal(secrets.redact(`echo ${odd} back`), `echo ${REDACTED} back`)
})
