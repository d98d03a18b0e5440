/**
 * Which registries a token may send its catalog token to. A validly signed token names its registry,
 * so without this check a token could steer the gateway (and the catalog credential inside it) at any
 * host and read back its error texts. The policy fails closed: an empty list allows nothing.
 *
 * Entries (lower-case) are:
 * - `*`: any https host on any port (an explicit opt-in; never plain http);
 * - `host` or `host:port`: that host over https, on the default port or the given one;
 * - `host:*`: that host on any port (a registry whose port is picked at start, as in tests).
 * Plain http is allowed only for a loopback host that is itself listed: a local registry, the demo.
 */
const ANY_HTTPS_HOST = '*'

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]'])

export const isLoopbackHost = (hostname: string): boolean => LOOPBACK_HOSTS.has(hostname)

function listed (url: URL, allowedHosts: readonly string[]): boolean {
  return allowedHosts.includes(url.host) || allowedHosts.includes(`${url.hostname}:*`)
}

export function allowsRegistry (url: URL, allowedHosts: readonly string[]): boolean {
  if (url.protocol === 'http:') return isLoopbackHost(url.hostname) && listed(url, allowedHosts)
  return url.protocol === 'https:' && (allowedHosts.includes(ANY_HTTPS_HOST) || listed(url, allowedHosts))
}

// host, host:port or host:*, with an IPv6 literal in brackets; no scheme, path, user or query.
const HOST_ENTRY = /^(\[[0-9a-f:.]+\]|[a-z0-9]([a-z0-9.-]*[a-z0-9])?)(:(\d{1,5}|\*))?$/

/** Why an allow-list entry can never match a registry URL, or undefined when it is usable. */
export function registryHostEntryProblem (entry: string): string | undefined {
  if (entry === ANY_HTTPS_HOST || HOST_ENTRY.test(entry)) return undefined
  if (/^[a-z][a-z0-9+.-]*:\/\//.test(entry) || entry.includes('/')) {
    return `"${entry}" is a URL; list host names such as registry.example.com (or host:port)`
  }
  return `"${entry}" is not a host name, host:port or *`
}

export function parseHttpUrl (value: string): URL | undefined {
  try {
    const url = new URL(value)
    return url.protocol === 'https:' || url.protocol === 'http:' ? url : undefined
  } catch {
    return undefined
  }
}

// Lower-cased host, default port dropped, no trailing slash: one registry, one spelling, one cache key.
// A URL pasted with its GraphQL endpoint (".../graphql") names the same registry.
export const normaliseRegistryUrl = (url: URL) => `${url.origin}${url.pathname.replace(/\/+$/, '').replace(/\/graphql$/i, '')}`
