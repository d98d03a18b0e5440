import t from 'tap'
import { allowsRegistry, registryHostEntryProblem } from '../src/registry-address.js'
import { tenantFromClaims } from '../src/platform/tenant.js'

const allows = (url: string, hosts: string[]) => allowsRegistry(new URL(url), hosts)

t.test('fail closed: an empty list allows no registry at all', async (t) => {
  for (const url of ['https://registry.example.com', 'http://127.0.0.1:4000', 'http://localhost']) t.notOk(allows(url, []), url)
})

t.test('* is any https host, never plain http', async (t) => {
  t.ok(allows('https://registry.example.com', ['*']))
  t.ok(allows('https://other.example.org:8443', ['*']))
  t.notOk(allows('http://registry.example.com', ['*']))
  t.notOk(allows('http://127.0.0.1:4000', ['*']), 'not even loopback: it must be listed')
})

t.test('listed hosts: https on the listed port; plain http only for a listed loopback host', async (t) => {
  const hosts = ['registry.example.com', 'b.example.com:8443', '127.0.0.1:4000', 'localhost:*']
  t.ok(allows('https://registry.example.com/', hosts))
  t.ok(allows('https://registry.example.com:443', hosts), 'the default port is the unported entry')
  t.notOk(allows('https://registry.example.com:8443', hosts), 'another port is another service')
  t.ok(allows('https://b.example.com:8443', hosts))
  t.notOk(allows('http://registry.example.com', hosts), 'plain http off loopback, listed or not')
  t.ok(allows('http://127.0.0.1:4000', hosts))
  t.notOk(allows('http://127.0.0.1:4001', hosts))
  t.ok(allows('http://localhost:1234', hosts), 'host:* is any port')
  t.notOk(allows('http://[::1]:4000', hosts))
  t.notOk(allows('ftp://registry.example.com', hosts))
})

t.test('entries that could never match are named', async (t) => {
  for (const entry of ['registry.example.com', 'b.example.com:8443', '127.0.0.1:*', '[::1]:4000', '*']) t.equal(registryHostEntryProblem(entry), undefined, entry)
  t.match(registryHostEntryProblem('https://registry.example.com'), /is a URL; list host names/)
  t.match(registryHostEntryProblem('registry.example.com/graphql'), /is a URL/)
  t.match(registryHostEntryProblem('*.example.com'), /not a host name/)
  t.match(registryHostEntryProblem('user@host'), /not a host name/)
})

t.test('a registry_url pasted with /graphql names the same registry', async (t) => {
  const exp = Math.floor(Date.now() / 1000) + 60
  const tenant = tenantFromClaims({ catalog_token: 'c', registry_url: 'https://registry.example.com/graphql/', exp }, ['registry.example.com'])
  t.match(tenant, { registryUrl: 'https://registry.example.com' })
  const plain = tenantFromClaims({ catalog_token: 'c', registry_url: 'https://registry.example.com', exp }, ['registry.example.com'])
  t.equal(typeof tenant === 'object' && typeof plain === 'object' && tenant.key === plain.key, true, 'one registry, one tenant key')
})
