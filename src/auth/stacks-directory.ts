import type { SecretStore } from './secret-store.js'
import type { Stack } from '../config/stacks.js'

/** A configured stack with the store holding its registry secret (the gateway's own for the default stack). */
export interface ServedStack {
  stack: Stack
  secrets: SecretStore
}

/** Lower-cased host of a Host header without its port: "Registry.Example.com:8443" → "registry.example.com". */
function hostname (host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1)
  const colon = host.lastIndexOf(':')
  return colon === -1 ? host : host.slice(0, colon)
}

/**
 * Chooses the stack of a request by its Host header. Only listed hosts select a stack of the stacks
 * file; any other host gets the default stack (QUILT_REGISTRY_URL) when there is one, else none. The
 * Host is the caller's to choose, and that is safe: it only decides which secret a session token must
 * verify with, so a session token reaches no registry but that of the stack whose secret signed it.
 */
export class StackDirectory {
  readonly served: readonly ServedStack[]
  readonly #byHost = new Map<string, ServedStack>()
  readonly #default: ServedStack | undefined

  constructor (served: readonly ServedStack[]) {
    this.served = served
    for (const entry of served) {
      for (const host of entry.stack.hosts) this.#byHost.set(host, entry)
    }
    this.#default = served.find((entry) => entry.stack.hosts.length === 0)
  }

  forHost (host: string | undefined): ServedStack | undefined {
    if (host !== undefined && this.#byHost.size > 0) {
      const lower = host.toLowerCase()
      // An exact `host:port` entry first, then a port-less entry for the same host.
      const listed = this.#byHost.get(lower) ?? this.#byHost.get(hostname(lower))
      if (listed !== undefined) return listed
    }
    return this.#default
  }

  /** Registry hosts (host[:port]) of every stack: a claims token may point at them too. */
  get registryHosts (): string[] {
    return this.served.map(({ stack }) => new URL(stack.registryUrl).host)
  }
}
