import { lookup } from 'node:dns/promises'
import { request } from 'node:https'
import { BlockList, isIP, type LookupFunction } from 'node:net'

/**
 * Fetches a client ID metadata document (an https URL chosen by whoever starts a sign-in) without
 * letting that URL reach inside the network: the name is resolved, every address must be public
 * (no private, loopback, link-local, CGNAT, multicast or reserved range), and the connection is made
 * to the checked address (so a second DNS answer cannot rebind it). Small and quick: a few KB, a few
 * seconds, no redirects.
 */
export type ClientMetadataFetch = (url: URL) => Promise<unknown>

export const MAX_DOCUMENT_BYTES = 8 * 1024
const FETCH_TIMEOUT_MS = 3000

const blocked = new BlockList()
for (const [net, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.88.99.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24], ['203.0.113.0', 24],
  ['224.0.0.0', 4], ['240.0.0.0', 4]] as const) blocked.addSubnet(net, prefix, 'ipv4')
for (const [net, prefix] of [['::', 128], ['::1', 128], ['64:ff9b::', 96], ['100::', 64], ['2001::', 23], ['2001:db8::', 32], ['fc00::', 7], ['fe80::', 10],
  ['fec0::', 10], ['ff00::', 8]] as const) blocked.addSubnet(net, prefix, 'ipv6')

/** Whether an address may be connected to on behalf of a stranger. */
export function isPublicAddress (address: string): boolean {
  const family = isIP(address)
  if (family === 4) return !blocked.check(address, 'ipv4')
  if (family !== 6) return false
  // IPv4-mapped (::ffff:a.b.c.d) and IPv4-compatible forms are judged as the IPv4 address they carry.
  const mapped = /^::(?:ffff:)?(\d+\.\d+\.\d+\.\d+)$/i.exec(address)
  if (mapped !== null) return isPublicAddress(mapped[1]!)
  if (/^::ffff:/i.test(address)) return false
  return !blocked.check(address, 'ipv6')
}

export class ClientMetadataFetchError extends Error {}

export type Resolve = (hostname: string) => Promise<Array<{ address: string, family: number }>>
const systemResolve: Resolve = (hostname) => lookup(hostname, { all: true, verbatim: true })

/** The guarded fetch; `resolve` is the system resolver (tests may pass their own, e.g. for a private answer). */
export function guardedClientMetadataFetch (resolve: Resolve = systemResolve): ClientMetadataFetch {
  return async (url) => {
    if (url.protocol !== 'https:') throw new ClientMetadataFetchError('the client metadata document must be served over https')
    const hostname = url.hostname.replace(/^\[|\]$/g, '')
    const deadline = AbortSignal.timeout(FETCH_TIMEOUT_MS)
    const answers = isIP(hostname) !== 0
      ? [{ address: hostname, family: isIP(hostname) }]
      : await Promise.race([resolve(hostname), new Promise<never>((_resolve, reject) => deadline.addEventListener('abort', () => reject(new ClientMetadataFetchError('its host name did not resolve in time'))))])
        .catch((err: unknown) => { throw err instanceof ClientMetadataFetchError ? err : new ClientMetadataFetchError('its host name does not resolve') })
    const target = answers[0]
    if (target === undefined || !answers.every(({ address }) => isPublicAddress(address))) {
      throw new ClientMetadataFetchError('its host resolves to a private, loopback or link-local address')
    }
    const pinned: LookupFunction = (_name, options, callback) => {
      if (options.all === true) (callback as (err: null, addresses: Array<{ address: string, family: number }>) => void)(null, [target])
      else callback(null, target.address, target.family)
    }
    return await new Promise<unknown>((resolve, reject) => {
      const req = request(url, { method: 'GET', lookup: pinned, headers: { accept: 'application/json' }, signal: deadline }, (res) => {
        if (res.statusCode !== 200) {
          res.resume()
          reject(new ClientMetadataFetchError(`it answered HTTP ${res.statusCode ?? '?'}`))
          return
        }
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (chunk: Buffer) => {
          size += chunk.length
          if (size > MAX_DOCUMENT_BYTES) {
            req.destroy()
            reject(new ClientMetadataFetchError(`it is larger than ${MAX_DOCUMENT_BYTES} bytes`))
          } else chunks.push(chunk)
        })
        res.on('end', () => {
          try {
            resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')))
          } catch {
            reject(new ClientMetadataFetchError('it is not JSON'))
          }
        })
        res.on('error', () => reject(new ClientMetadataFetchError('the connection failed')))
      })
      req.on('error', (err) => reject(new ClientMetadataFetchError(deadline.aborted ? 'it did not answer in time' : `the connection failed (${(err as NodeJS.ErrnoException).code ?? 'error'})`)))
      req.end()
    })
  }
}
