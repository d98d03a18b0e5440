import t from 'tap'
import { CapabilityCache, NEWEST_CAPABILITIES } from '../../src/platform/capabilities.js'
import { searchPackagesQuery } from '../../src/platform/operations/search.js'
import { createRegistryClient } from '../../src/platform/registry-client.js'
import { capabilitiesOf } from '../helpers/eras.js'
import { ACME_TOKEN, startFakeRegistry } from '../helpers/fake-registry.js'

const options = { timeoutMs: 5000, mutationTimeoutMs: 5000 }
const search = { buckets: [], searchString: null, latestOnly: true, size: 5 }

t.test('capabilities are learnt once per registry, by one call however many ask at once', async (t) => {
  const registry = await startFakeRegistry(t, { era: '2025-02-13' })
  const cache = new CapabilityCache()
  const clients = ['a', 'b', 'c'].map(() => createRegistryClient({ registryUrl: registry.url, catalogToken: ACME_TOKEN }, { ...options, capabilities: cache }))
  const learnt = await Promise.all(clients.flatMap((client) => [client.capabilities(), client.capabilities()]))
  t.ok(learnt.every((c) => JSON.stringify(c) === JSON.stringify(capabilitiesOf('2025-02-13'))), 'the era\'s capabilities')
  await clients[0]!.execute(searchPackagesQuery, search)
  t.same(registry.requests.map((r) => r.operationName), ['GatewayCapabilities', 'SearchPackages'])
  t.equal(cache.size, 1)
})

t.test('a registry that changed era since: the refused shape re-learns and is sent again once', async (t) => {
  const registry = await startFakeRegistry(t, { era: '2024-10-11' })
  const cache = new CapabilityCache()
  // Learnt while the registry was newer (a stale cache entry after a rollback).
  await cache.get(registry.url, async () => ({ capabilities: NEWEST_CAPABILITIES, assumed: false }))
  const client = createRegistryClient({ registryUrl: registry.url, catalogToken: ACME_TOKEN }, { ...options, capabilities: cache })
  const result = await client.execute(searchPackagesQuery, search)
  t.equal(result.searchPackages.__typename, 'PackagesSearchResultSet')
  t.same(registry.requests.map((r) => r.operationName), ['SearchPackages', 'GatewayCapabilities', 'SearchPackages'])
  t.same(await client.capabilities(), capabilitiesOf('2024-10-11'), 'and keeps the fresh answer')
})

/** A client with a log and a clock of its own, and the warnings it logged. */
function probeClient (registryUrl: string) {
  let now = 1_000_000
  const warnings: Array<{ details: object, message: string }> = []
  const cache = new CapabilityCache({ now: () => now })
  const client = createRegistryClient({ registryUrl, catalogToken: ACME_TOKEN }, {
    ...options,
    capabilities: cache,
    log: { warn: (details, message) => { warnings.push({ details, message }) } }
  })
  return { client, cache, warnings, advance: (ms: number) => { now += ms } }
}

const probes = (registry: { requests: Array<{ operationName: string | null }> }) => registry.requests.filter((r) => r.operationName === 'GatewayCapabilities').length

t.test('the probe document refused (introspection off): today\'s shapes for about a minute, with one warning', async (t) => {
  let refuse = true
  const registry = await startFakeRegistry(t, {
    era: '2025-02-13',
    // What a GraphQL server with introspection disabled answers: a validation error, no data.
    intercept: (request) => request.operationName === 'GatewayCapabilities' && refuse
      ? { status: 400, body: JSON.stringify({ errors: [{ message: 'GraphQL introspection has been disabled, but the requested query contained the field "__type".' }] }) }
      : undefined
  })
  const { client, warnings, advance } = probeClient(registry.url)
  const answers = await Promise.all([client.capabilities(), client.capabilities(), client.capabilities()])
  t.ok(answers.every((c) => JSON.stringify(c) === JSON.stringify(NEWEST_CAPABILITIES)), 'the newest era is assumed')
  t.equal(probes(registry), 1, 'by one probe')
  t.match(warnings, [{ message: /refused the capabilities probe.*a minute/, details: { registryHost: new URL(registry.url).host, graphqlErrors: [/introspection has been disabled/] } }], 'one warning names the registry and its answer')
  advance(55_000)
  t.same(await client.capabilities(), NEWEST_CAPABILITIES)
  t.equal(probes(registry), 1, 'kept within the minute')
  refuse = false
  advance(10_000)
  t.same(await client.capabilities(), capabilitiesOf('2025-02-13'), 'after it, the registry is asked again and its real era learnt')
  t.equal(probes(registry), 2)
  advance(30 * 60_000)
  await client.capabilities()
  t.equal(probes(registry), 2, 'a learnt era is kept far longer')
  t.equal(warnings.length, 1, 'no further warnings')
})

t.test('other probe failures are the call\'s, never an era: network, 5xx, refused token, errors in a 200', async (t) => {
  const faults = [
    { name: 'network', action: { destroy: true } as const, error: /Could not reach the Quilt registry/ },
    { name: '5xx', action: { status: 502, body: '<html>Bad gateway</html>' }, error: /HTTP 502/ },
    { name: 'token refused', action: { status: 401, body: '{"message":"expired"}' }, error: /rejected the credentials/ },
    { name: 'errors in a 200', action: { graphqlErrors: [{ message: 'internal resolver failure' }] }, error: /internal resolver failure/ }
  ]
  for (const fault of faults) {
    let failing = true
    const registry = await startFakeRegistry(t, { era: '2024-10-11', intercept: (request) => request.operationName === 'GatewayCapabilities' && failing ? fault.action : undefined })
    const { client, cache, warnings } = probeClient(registry.url)
    await t.rejects(client.capabilities(), { message: fault.error }, `${fault.name}: the failure is reported`)
    t.equal(cache.size, 0, `${fault.name}: not remembered`)
    failing = false
    t.same(await client.capabilities(), capabilitiesOf('2024-10-11'), `${fault.name}: the next call learns the real era`)
    t.same(warnings, [], `${fault.name}: no era assumed, no warning`)
  }
})
