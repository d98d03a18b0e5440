import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Test } from 'tap'
import { demoTenants } from '../../src/sample-registry/data.js'
import { startSampleRegistry, type SampleRegistry, type SampleRegistryOptions } from '../../src/sample-registry/server.js'

export { ACME_TOKEN, GLOBEX_TOKEN } from '../../src/sample-registry/data.js'

/** The sample registry on a free loopback port with fresh demo data, closed when the test ends. */
export async function startFakeRegistry (t: Test, options: Omit<SampleRegistryOptions, 'port' | 'host'> = {}): Promise<SampleRegistry> {
  const registry = await startSampleRegistry({ tenants: demoTenants(), ...options, port: 0, host: '127.0.0.1' })
  t.teardown(() => registry.close())
  return registry
}

/** A loopback URL where nothing listens (the port was free a moment ago), for connection-refused tests. */
export async function closedPortUrl (): Promise<string> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())))
  return `http://127.0.0.1:${port}`
}

/** One raw GraphQL POST to a registry: HTTP status plus the parsed body (text when not JSON). */
export async function postGraphql (url: string, token: string | null, body: unknown): Promise<{ status: number, body: unknown }> {
  const response = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
    body: typeof body === 'string' ? body : JSON.stringify(body)
  })
  const text = await response.text()
  try {
    return { status: response.status, body: JSON.parse(text) as unknown }
  } catch {
    return { status: response.status, body: text }
  }
}
