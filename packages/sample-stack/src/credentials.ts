import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createRequire } from 'node:module'
import type { TenantData } from './data.js'

/** s3rver's account registry: the key pairs whose SigV4 signatures it accepts. */
interface S3rverAccount { createKeyPair (accessKeyId: string, secretAccessKey: string): void }
const S3rverAccountClass = createRequire(import.meta.url)('s3rver/lib/models/account.js') as new (id: number, name: string) => S3rverAccount
const account = new S3rverAccountClass(210987654321, 'SampleRegistryUsers')

/** One set of temporary credentials as the sample registry issued it, and what it may reach. */
export interface IssuedCredentials {
  accessKeyId: string
  secretAccessKey: string
  sessionToken: string
  expiration: Date
  /** The catalog token it was issued for (which user of which registry). */
  catalogToken: string
  /** Buckets the role may read: the tenant's buckets. */
  buckets: ReadonlySet<string>
  /** Set when the sample S3 should answer ExpiredToken although `expiration` is still ahead (clock skew, revocation). */
  stale: boolean
}

/**
 * The sample registry's `GET /api/auth/get_credentials`: temporary AWS credentials per catalog token,
 * registered with the sample S3 server (sample-s3.ts), which checks them as STS
 * session credentials. Knobs for tests: refuse with 401/403, short lifetimes, credentials that S3
 * already treats as expired. One instance may serve several registries (two stacks sharing one S3).
 */
export class SampleCredentials {
  /** Answer 401 or 403 instead of credentials. */
  refuse: 401 | 403 | null = null
  lifetimeSeconds = 3600
  /** Issue credentials that S3 rejects as expired from the start. */
  issueStale = false
  /** Catalog tokens of the get_credentials calls received (including refused ones). */
  readonly calls: Array<string | null> = []
  readonly #issued = new Map<string, IssuedCredentials>()

  issue (catalogToken: string, buckets: Iterable<string>): IssuedCredentials {
    const credentials: IssuedCredentials = {
      accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
      // Shaped as AWS issues them: base64 with `/` and `+` (one `/` always, so tests meet the case).
      secretAccessKey: `${randomBytes(15).toString('base64')}/${randomBytes(14).toString('base64').slice(0, 19)}`,
      sessionToken: `IQoJb3JpZ2luX2VjE//////////${randomBytes(48).toString('base64')}`,
      expiration: new Date(Date.now() + this.lifetimeSeconds * 1000),
      catalogToken,
      buckets: new Set(buckets),
      stale: this.issueStale
    }
    account.createKeyPair(credentials.accessKeyId, credentials.secretAccessKey)
    this.#issued.set(credentials.accessKeyId, credentials)
    return credentials
  }

  find (accessKeyId: string): IssuedCredentials | undefined {
    return this.#issued.get(accessKeyId)
  }

  /** Everything issued so far is now treated as expired by the sample S3 (as after a revocation). */
  expireAll (): void {
    for (const credentials of this.#issued.values()) credentials.stale = true
  }

  get issued (): IssuedCredentials[] {
    return [...this.#issued.values()]
  }

  /** Answers one `GET /api/auth/get_credentials` for the tenant its bearer selects. */
  answer (req: IncomingMessage, res: ServerResponse, tenants: Record<string, TenantData>, tenantTokenOf: (bearer: string) => string | undefined = (bearer) => bearer): void {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1] ?? null
    // An API key or a session token acts as its user's catalog token, as at /graphql.
    const tenantToken = token === null ? undefined : tenantTokenOf(token)
    // Own keys only: a token such as "__proto__" must not find a tenant.
    const tenant = tenantToken !== undefined && Object.hasOwn(tenants, tenantToken) ? tenants[tenantToken] : undefined
    this.calls.push(token)
    const send = (status: number, body: unknown) => {
      const text = JSON.stringify(body)
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
      res.end(text)
    }
    if (tenantToken === undefined || tenant === undefined) return send(401, { message: 'Invalid or missing credentials' })
    if (this.refuse !== null) return send(this.refuse, { message: this.refuse === 401 ? 'Session expired' : 'Your role has no data access' })
    const issued = this.issue(tenantToken, tenant.buckets.map((b) => b.name))
    send(200, { AccessKeyId: issued.accessKeyId, SecretAccessKey: issued.secretAccessKey, SessionToken: issued.sessionToken, Expiration: issued.expiration.toISOString() })
  }
}
