import type { Test } from 'tap'
import { SampleCredentials } from '../../packages/sample-stack/src/credentials.js'
import { demoTenants } from '../../packages/sample-stack/src/data.js'
import { startGateway } from './app.js'
import { ACME_TOKEN, startFakeRegistry } from './fake-registry.js'
import { connectClient, rpc } from './mcp-client.js'
import { labelsOf, scrape, seriesNames, type Scrape } from './metrics-text.js'
import { startSampleAws } from './sample-aws.js'
import { signToken } from './tokens.js'

/** Labels Prometheus adds to every scraped series. */
const SCRAPE_LABELS = new Set(['job', 'instance'])

/**
 * The real gateway's /metrics after a few calls of each kind (tools that succeed and fail, registry
 * calls, an S3 read, a link, an Athena query, a bad token, a 429), so labelled series have samples.
 */
export async function scrapeAfterTraffic (t: Test): Promise<Scrape> {
  const tenants = demoTenants()
  const credentials = new SampleCredentials()
  const registry = await startFakeRegistry(t, { tenants, credentials })
  const { s3, athena } = await startSampleAws(t, tenants, [credentials])
  const rateLimitMax = 40
  const { url } = await startGateway(t, { s3Endpoint: s3.url, athenaEndpoint: athena.url, rateLimitMax })
  const token = signToken({ sub: 'alice', catalog_token: ACME_TOKEN, registry_url: registry.url })
  const client = await connectClient(t, url, token)
  await client.callTool({ name: 'catalog_url', arguments: { bucket: 'quilt-example' } })
  await client.callTool({ name: 'catalog_url', arguments: { bucket: 'quilt-example', path: '../x' } })
  await client.callTool({ name: 'packages_list', arguments: { bucket: 'quilt-example' } })
  await client.callTool({ name: 'bucket_object_text', arguments: { s3_uri: 's3://quilt-example/examples/wellplates/README.md' } })
  await client.callTool({ name: 'bucket_object_link', arguments: { s3_uri: 's3://quilt-example/examples/wellplates/README.md' } })
  await client.callTool({ name: 'athena_query', arguments: { sql: 'SELECT * FROM wellplates_summary LIMIT 1' } })
  await rpc(url, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, { authorization: 'Bearer not-a-token' })
  // Past the tenant's budget: one 429 at least.
  let refused = false
  for (let i = 0; i < rateLimitMax + 5 && !refused; i++) {
    refused = (await rpc(url, { jsonrpc: '2.0', id: 1, method: 'tools/list' }, { authorization: `Bearer ${token}` })).status === 429
  }
  if (!refused) throw new Error('no 429 after the tenant budget')
  return scrape(url)
}

export interface PromqlUse {
  /** Where it came from, for messages. */
  where: string
  expr: string
  metrics: string[]
  /** Labels the expression matches on or groups by. */
  labels: string[]
}

/** Metric names and label names a PromQL expression uses (the expression itself is parsed by promtool). */
export function promqlUse (where: string, expr: string): PromqlUse {
  const metrics = [...new Set([...expr.matchAll(/\b(mcp_gateway_[a-z0-9_]+|up)\b(?!\s*\()/g)].map((m) => m[1] ?? ''))]
  const labels = new Set<string>()
  for (const selector of expr.matchAll(/\{([^}]*)\}/g)) {
    for (const matcher of (selector[1] ?? '').matchAll(/(\w+)\s*(?:=~|!~|!=|=)/g)) labels.add(matcher[1] ?? '')
  }
  for (const grouping of expr.matchAll(/\b(?:by|without|on|ignoring)\s*\(([^)]*)\)/g)) {
    for (const label of (grouping[1] ?? '').split(',').map((l) => l.trim()).filter((l) => l !== '')) labels.add(label)
  }
  return { where, expr, metrics, labels: [...labels] }
}

/** Why a use does not fit what the gateway exports, or nothing. */
export function promqlMismatches (use: PromqlUse, exported: Scrape): string[] {
  const names = seriesNames(exported)
  const problems: string[] = []
  for (const metric of use.metrics) {
    if (metric !== 'up' && !names.has(metric)) problems.push(`${use.where}: ${metric} is not exported`)
  }
  const available = new Set([...SCRAPE_LABELS, ...use.metrics.flatMap((m) => [...labelsOf(exported, m)])])
  for (const label of use.labels) {
    if (!available.has(label)) problems.push(`${use.where}: label "${label}" is on none of ${use.metrics.join(', ')}`)
  }
  return problems
}
