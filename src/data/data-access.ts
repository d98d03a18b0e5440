import type { AthenaClient } from '@aws-sdk/client-athena'
import type { S3Client } from '@aws-sdk/client-s3'
import { LRUCache } from 'lru-cache'
import type { Tenant } from '../platform/tenant.js'
import { UNMETERED, type CostMeter } from '../telemetry/cost.js'
import { AwsClients, type AwsEndpoints } from './aws-clients.js'
import { CredentialsCache, type AwsCredentials } from './credentials.js'
import { DataCancelledError, DataError, DataExpiredError, DataUnavailableError, isAbortError } from './errors.js'

export interface DataAccessOptions extends AwsEndpoints {
  /** Deadline of one S3 call, and of the credentials request. */
  timeoutMs: number
  /** Longest an athena_query may run before it is stopped. */
  athenaTimeoutMs: number
  /** Where S3 transfer, links and Athena scans are counted (src/telemetry/cost.ts); nowhere when absent. */
  cost?: CostMeter
  /** The clock credentials age by, in milliseconds (tests). */
  now?: () => number
}

/** How a client call fails: `expired` asks for one retry with fresh credentials. */
export type FailureMapper = (err: unknown) => DataError | 'expired'

/** One caller's way to their data: their credentials, their clients, their request's signal. */
export class DataAccess {
  readonly tenant: Tenant
  readonly signal: AbortSignal
  readonly options: DataAccessOptions
  readonly pool: DataClients

  constructor (pool: DataClients, tenant: Tenant, signal: AbortSignal) {
    this.pool = pool
    this.tenant = tenant
    this.signal = signal
    this.options = pool.options
  }

  /** A signal for one AWS call: the caller's, and the per-call deadline. */
  callSignal (timeoutMs = this.options.timeoutMs): AbortSignal {
    return AbortSignal.any([this.signal, AbortSignal.timeout(timeoutMs)])
  }

  /** Runs `call` with an S3 client of this caller; see #withCredentials. */
  s3<T> (region: string, mapFailure: FailureMapper, call: (client: S3Client, credentials: AwsCredentials) => Promise<T>): Promise<T> {
    return this.#withCredentials(mapFailure, (credentials) => call(this.pool.clients.s3.get(this.tenant.key, credentials, region), credentials))
  }

  athena<T> (mapFailure: FailureMapper, call: (client: AthenaClient) => Promise<T>): Promise<T> {
    return this.#withCredentials(mapFailure, (credentials) => call(this.pool.clients.athena.get(this.tenant.key, credentials, this.options.region)))
  }

  /**
   * Calls AWS with this caller's credentials. When AWS says they expired (revoked early, or clocks
   * disagree), the cached set is dropped and the call is tried once more with fresh ones; a second
   * rejection is reported as such rather than retried forever.
   */
  async #withCredentials<T> (mapFailure: FailureMapper, call: (credentials: AwsCredentials) => Promise<T>): Promise<T> {
    const credentials = this.pool.credentials
    const first = await credentials.get(this.tenant, this.signal)
    try {
      return await call(first)
    } catch (err) {
      const failure = this.#describe(err, mapFailure)
      if (failure !== 'expired') throw failure
    }
    credentials.invalidate(this.tenant, first)
    const fresh = await credentials.get(this.tenant, this.signal)
    try {
      return await call(fresh)
    } catch (err) {
      const failure = this.#describe(err, mapFailure)
      throw failure === 'expired' ? new DataExpiredError() : failure
    }
  }

  #describe (err: unknown, mapFailure: FailureMapper): DataError | 'expired' {
    if (err instanceof DataError) return err
    if (this.signal.aborted) return new DataCancelledError('The request was cancelled because the client went away.', { cause: err })
    if (isAbortError(err) || (err instanceof Error && err.name === 'TimeoutError')) {
      return new DataUnavailableError(`AWS did not answer within ${this.options.timeoutMs} ms. Try again later.`, { cause: err })
    }
    return mapFailure(err)
  }
}

/**
 * The process-wide pool behind every caller's DataAccess: credentials and clients, each keyed by the
 * tenant (user and stack), bounded. Holds no request state, so any replica can serve any request.
 */
export class DataClients {
  readonly options: DataAccessOptions
  readonly credentials: CredentialsCache
  readonly clients: AwsClients
  /**
   * Bucket name → region, learnt from S3's redirects (regions.ts). A bucket name is global, so one
   * entry serves every caller; bounded, and re-learnt when stale (a wrong entry only costs a redirect).
   */
  readonly bucketRegions = new LRUCache<string, string>({ max: 10_000, ttl: 24 * 3600_000 })
  readonly cost: CostMeter

  constructor (options: DataAccessOptions) {
    this.options = options
    this.cost = options.cost ?? UNMETERED
    this.credentials = new CredentialsCache({ timeoutMs: options.timeoutMs, now: options.now })
    this.clients = new AwsClients(options)
  }

  for (tenant: Tenant, signal: AbortSignal): DataAccess {
    return new DataAccess(this, tenant, signal)
  }

  close (): void {
    this.clients.close()
  }
}
