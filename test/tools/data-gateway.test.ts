import t from 'tap'
import { SampleCredentials } from '../../packages/sample-stack/src/credentials.js'
import { demoTenants } from '../../packages/sample-stack/src/data.js'
import { startGateway } from '../helpers/app.js'
import { ACME_TOKEN, GLOBEX_TOKEN, startFakeRegistry } from '../helpers/fake-registry.js'
import { connectClient } from '../helpers/mcp-client.js'
import { startSampleAws } from '../helpers/sample-aws.js'
import { signToken } from '../helpers/tokens.js'

/**
 * The data tools through the whole gateway: JWT, MCP over HTTP, the app's shared data clients (per
 * caller), the registry's credentials endpoint, the sample S3 and Athena. Two users, interleaved.
 */
t.test('data tools over HTTP for two users; nothing secret in the logs', async (t) => {
  const tenants = demoTenants()
  const credentials = new SampleCredentials()
  const registry = await startFakeRegistry(t, { tenants, credentials })
  const { s3, athena } = await startSampleAws(t, tenants, [credentials])
  const { url, logs } = await startGateway(t, { s3Endpoint: s3.url, athenaEndpoint: athena.url })
  const alice = await connectClient(t, url, signToken({ sub: 'alice', catalog_token: ACME_TOKEN, registry_url: registry.url }))
  const bob = await connectClient(t, url, signToken({ sub: 'bob', catalog_token: GLOBEX_TOKEN, registry_url: registry.url }))

  const [aliceText, bobText, aliceQuery, bobDenied] = await Promise.all([
    alice.callTool({ name: 'package_file_text', arguments: { bucket: 'quilt-example', package_name: 'examples/wellplates', path: 'README.md' } }),
    bob.callTool({ name: 'package_file_text', arguments: { bucket: 'globex-public', package_name: 'public/reference-genomes', path: 'GRCh38/README.txt' } }),
    alice.callTool({ name: 'athena_query', arguments: { sql: 'SELECT * FROM wellplates_summary LIMIT 3' } }),
    bob.callTool({ name: 'bucket_object_text', arguments: { s3_uri: 's3://quilt-example/examples/wellplates/README.md' } })
  ])
  t.notOk(aliceText.isError)
  t.match(aliceText.structuredContent, { kind: 'text', text: /^# examples\/wellplates\/README\.md/ })
  t.match(bobText.structuredContent, { kind: 'text', text: /^# public\/reference-genomes\/GRCh38\/README\.txt/ })
  t.match(aliceQuery.structuredContent, { rows: { length: 3 } })
  t.ok(bobDenied.isError, 'bob cannot read alice\'s bucket')
  t.same([...credentials.calls].sort(), [ACME_TOKEN, GLOBEX_TOKEN].sort(), 'one credentials fetch per user, each with their own token')

  const link = await alice.callTool({ name: 'bucket_object_link', arguments: { s3_uri: 's3://quilt-example/examples/wellplates/README.md' } })
  const linkUrl = (link.structuredContent as { url: string }).url
  t.equal((await fetch(linkUrl)).status, 200)

  const { resources } = await alice.listResources()
  t.ok(resources.some((r) => r.uri === 'quilt-platform://athena'))

  const logText = logs.text
  for (const issued of credentials.issued) {
    t.notOk(logText.includes(issued.secretAccessKey), 'no secret access key in the logs')
    t.notOk(logText.includes(issued.sessionToken), 'no session token in the logs')
  }
  t.notOk(logText.includes(ACME_TOKEN) || logText.includes(GLOBEX_TOKEN), 'no catalog token in the logs')
  t.notOk(logText.includes('X-Amz-Signature'), 'no presigned link in the logs')
})
