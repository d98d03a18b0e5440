import t from 'tap'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { SampleCredentials } from '../../packages/sample-stack/src/credentials.js'
import { demoTenants } from '../../packages/sample-stack/src/data.js'
import { startGateway } from '../helpers/app.js'
import { ACME_TOKEN, GLOBEX_TOKEN, startFakeRegistry } from '../helpers/fake-registry.js'
import { connectClient } from '../helpers/mcp-client.js'
import { scrape, total } from '../helpers/metrics-text.js'
import { startSampleAws } from '../helpers/sample-aws.js'
import { signToken } from '../helpers/tokens.js'

const COST_METRICS = ['mcp_gateway_s3_read_bytes_total', 'mcp_gateway_s3_written_bytes_total', 'mcp_gateway_s3_links_issued_total', 'mcp_gateway_athena_scanned_bytes_total']

async function call (client: Client, name: string, args: Record<string, unknown>): Promise<Record<string, unknown>> {
  const result = await client.callTool({ name, arguments: args })
  if (result.isError === true) throw new Error(`${name} failed: ${JSON.stringify(result.content)}`)
  return result.structuredContent as Record<string, unknown>
}

/**
 * The cost counters through the whole gateway (JWT, MCP over HTTP, the sample S3 and Athena): each
 * moves by what the call really cost, measured against S3's stored size and Athena's own figure.
 */
t.test('cost counters move by the bytes S3 sent, the links issued and the bytes Athena scanned', async (t) => {
  const tenants = demoTenants()
  const credentials = new SampleCredentials()
  const registry = await startFakeRegistry(t, { tenants, credentials })
  const { s3, athena } = await startSampleAws(t, tenants, [credentials])
  const { url } = await startGateway(t, { s3Endpoint: s3.url, athenaEndpoint: athena.url })
  const alice = await connectClient(t, url, signToken({ sub: 'alice', catalog_token: ACME_TOKEN, registry_url: registry.url }))
  const bob = await connectClient(t, url, signToken({ sub: 'bob', catalog_token: GLOBEX_TOKEN, registry_url: registry.url }))

  const start = await scrape(url)
  for (const name of COST_METRICS) t.ok(start.families.has(name), `${name} is exported before any call`)
  t.equal(total(start, 'mcp_gateway_s3_links_issued_total', { method: 'PUT' }), 0, 'PUT links counted from zero')
  t.equal(total(start, 'mcp_gateway_s3_read_bytes_total'), 0)

  // A whole small object: the counter moves by its stored size (HEAD's Content-Length, which reads no body).
  const readme = 's3://quilt-example/examples/wellplates/README.md'
  const readmeSize = (await call(alice, 'bucket_object_info', { s3_uri: readme })).size as number
  t.ok(readmeSize > 0)
  const beforeReadme = await scrape(url)
  t.equal(total(beforeReadme, 'mcp_gateway_s3_read_bytes_total'), 0, 'a HEAD transfers no object bytes')
  const text = await call(alice, 'bucket_object_text', { s3_uri: readme, max_bytes: 1024 * 1024 })
  t.equal(text.next_offset, null, 'the whole object was read')
  const afterReadme = await scrape(url)
  t.equal(total(afterReadme, 'mcp_gateway_s3_read_bytes_total'), readmeSize, 'read bytes = the object\'s stored size')

  // A gzip object counts compressed, as stored and billed, not the larger text it inflates to.
  const calls = 's3://globex-genomics/genomics/variant-calls/calls.vcf.gz'
  const gzSize = (await call(bob, 'bucket_object_info', { s3_uri: calls })).size as number
  const gz = await call(bob, 'bucket_object_text', { s3_uri: calls, max_bytes: 1024 * 1024 })
  t.equal(gz.gzip, true)
  t.ok((gz.length as number) > gzSize, 'the text is larger than the stored object')
  const afterGz = await scrape(url)
  t.equal(total(afterGz, 'mcp_gateway_s3_read_bytes_total') - total(afterReadme, 'mcp_gateway_s3_read_bytes_total'), gzSize, 'compressed bytes counted')

  // A ranged read of a large object costs the slice only.
  const slice = await call(alice, 'bucket_object_text', { s3_uri: 's3://quilt-example/examples/wellplates/data/summary.csv', max_bytes: 200 })
  t.equal(slice.size, 20480)
  const afterSlice = await scrape(url)
  t.equal(total(afterSlice, 'mcp_gateway_s3_read_bytes_total') - total(afterGz, 'mcp_gateway_s3_read_bytes_total'), 200, '200 of 20,480 bytes')

  // A presigned link is counted by method; the download it allows is the user's, not the gateway's.
  const link = await call(alice, 'bucket_object_link', { s3_uri: readme })
  t.equal((await fetch(link.url as string)).status, 200)
  const afterLink = await scrape(url)
  t.equal(total(afterLink, 'mcp_gateway_s3_links_issued_total', { method: 'GET' }), 1)
  t.equal(total(afterLink, 'mcp_gateway_s3_read_bytes_total'), total(afterSlice, 'mcp_gateway_s3_read_bytes_total'))

  // Athena: the bytes Athena itself reports scanned.
  const query = await call(alice, 'athena_query', { sql: 'SELECT * FROM wellplates_summary LIMIT 3', workgroup: 'QuiltUsers' })
  const scanned = query.scanned_bytes as number
  t.ok(scanned > 0)
  const afterQuery = await scrape(url)
  t.equal(total(afterQuery, 'mcp_gateway_athena_scanned_bytes_total'), scanned)

  // Bounded labels: nothing a caller chooses (user, token, bucket, key, workgroup) becomes a label value.
  for (const name of COST_METRICS) {
    for (const sample of afterQuery.samples.filter((s) => s.name === name)) {
      t.ok(Object.keys(sample.labels).every((label) => label === 'method'), `${name} is labelled by method at most`)
    }
  }
  for (const chosen of ['alice', 'bob', ACME_TOKEN, GLOBEX_TOKEN, 'quilt-example', 'globex-genomics', 'wellplates', 'QuiltUsers']) {
    t.notOk(afterQuery.text.includes(chosen), `"${chosen}" appears nowhere in /metrics`)
  }
})
