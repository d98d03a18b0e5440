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
  await cache.get(registry.url, async () => NEWEST_CAPABILITIES)
  const client = createRegistryClient({ registryUrl: registry.url, catalogToken: ACME_TOKEN }, { ...options, capabilities: cache })
  const result = await client.execute(searchPackagesQuery, search)
  t.equal(result.searchPackages.__typename, 'PackagesSearchResultSet')
  t.same(registry.requests.map((r) => r.operationName), ['SearchPackages', 'GatewayCapabilities', 'SearchPackages'])
  t.same(await client.capabilities(), capabilitiesOf('2024-10-11'), 'and keeps the fresh answer')
})

t.test('introspection refused: today\'s shapes are assumed; a failed lookup is asked again next time', async (t) => {
  let refuse = true
  let down = true
  const registry = await startFakeRegistry(t, {
    intercept: (request) => request.operationName !== 'GatewayCapabilities'
      ? undefined
      : down ? { destroy: true } : refuse ? { graphqlErrors: [{ message: 'introspection is disabled' }] } : undefined
  })
  const cache = new CapabilityCache()
  const client = createRegistryClient({ registryUrl: registry.url, catalogToken: ACME_TOKEN }, { ...options, capabilities: cache })
  await t.rejects(client.capabilities(), { message: /Could not reach the Quilt registry for GatewayCapabilities/ })
  t.equal(cache.size, 0, 'a network failure is not remembered')
  down = false
  t.same(await client.capabilities(), NEWEST_CAPABILITIES)
  refuse = false
  t.same(await client.capabilities(), NEWEST_CAPABILITIES, 'remembered until it expires or a call is refused')
})
