import type { Test } from 'tap'
import { demoTenants } from '../../packages/sample-stack/src/data.js'
import { startSampleRegistry, type SampleRegistry, type SampleRegistryOptions } from '../../packages/sample-stack/src/server.js'

export { ACME_TOKEN, GLOBEX_TOKEN } from '../../packages/sample-stack/src/data.js'
// Connection-refused cases sit next to the registry that tests otherwise start.
export { closedPortUrl } from './ports.js'

/** The sample registry on a free loopback port with fresh demo data, closed when the test ends. */
export async function startFakeRegistry (t: Test, options: Omit<SampleRegistryOptions, 'port' | 'host'> = {}): Promise<SampleRegistry> {
  const registry = await startSampleRegistry({ tenants: demoTenants(), ...options, port: 0, host: '127.0.0.1' })
  t.teardown(() => registry.close())
  return registry
}

/** A loopback URL where nothing listens (the port was free a moment ago), for connection-refused tests. */

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
