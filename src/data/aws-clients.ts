import { AthenaClient } from '@aws-sdk/client-athena'
import { S3Client } from '@aws-sdk/client-s3'
import { LRUCache } from 'lru-cache'
import type { AwsCredentials } from './credentials.js'

export interface AwsEndpoints {
  /** Region for clients when a bucket's own region is not known yet (and for Athena). */
  region: string
  /** AWS_ENDPOINT_URL_S3: an S3-compatible server (tests, LocalStack); path-style addressing then. */
  s3Endpoint?: string
  /** AWS_ENDPOINT_URL_ATHENA */
  athenaEndpoint?: string
}

interface Destroyable { destroy (): void }

/**
 * AWS SDK clients per caller: the cache key holds the tenant key and the access key id, so a client
 * never serves another user, and fresh credentials get a fresh client (the SDK would otherwise keep
 * signing with the credentials it memoised). Bounded; evicted clients release their sockets.
 */
class ClientCache<C extends Destroyable> {
  readonly #cache: LRUCache<string, C>
  readonly #create: (credentials: AwsCredentials, region: string) => C

  constructor (create: (credentials: AwsCredentials, region: string) => C, max: number) {
    this.#create = create
    this.#cache = new LRUCache<string, C>({ max, dispose: (client) => { client.destroy() } })
  }

  get (tenantKey: string, credentials: AwsCredentials, region: string): C {
    const key = `${tenantKey}|${credentials.accessKeyId}|${region}`
    let client = this.#cache.get(key)
    if (client === undefined) {
      client = this.#create(credentials, region)
      // Gone when the credentials are: a client with expired credentials is of no use to anyone.
      const ttl = credentials.expiration.getTime() - Date.now()
      if (ttl > 0) this.#cache.set(key, client, { ttl })
    }
    return client
  }

  clear (): void {
    this.#cache.clear()
  }
}

const staticCredentials = (c: AwsCredentials) => ({ accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken, expiration: c.expiration })

export class AwsClients {
  readonly endpoints: AwsEndpoints
  readonly s3: ClientCache<S3Client>
  readonly athena: ClientCache<AthenaClient>

  constructor (endpoints: AwsEndpoints, max = 1000) {
    this.endpoints = endpoints
    this.s3 = new ClientCache((credentials, region) => new S3Client({
      region,
      credentials: staticCredentials(credentials),
      // No followRegionRedirects: the gateway learns each bucket's region itself (regions.ts) and
      // remembers it, so presigned links, which S3 never redirects, are signed for it too.
      maxAttempts: 2,
      ...(endpoints.s3Endpoint === undefined ? {} : { endpoint: endpoints.s3Endpoint, forcePathStyle: true })
    }), max)
    this.athena = new ClientCache((credentials, region) => new AthenaClient({
      region,
      credentials: staticCredentials(credentials),
      maxAttempts: 2,
      ...(endpoints.athenaEndpoint === undefined ? {} : { endpoint: endpoints.athenaEndpoint })
    }), max)
  }

  close (): void {
    this.s3.clear()
    this.athena.clear()
  }
}
