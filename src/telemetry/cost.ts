import { Counter, type Registry } from 'prom-client'

export type LinkMethod = 'GET' | 'PUT'
const LINK_METHODS: readonly LinkMethod[] = ['GET', 'PUT']

/**
 * What callers cost the operator in AWS: S3 transfer, presigned links, Athena scans. Counted per
 * process, never by user, token or any argument (a bucket or workgroup name is the caller's to
 * choose, so it would make the label set unbounded); the audit log says who did what.
 */
export interface CostMeter {
  /** Wraps an S3 object body so every byte that arrives is counted, as stored (compressed stays compressed). */
  meterS3Read (body: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array>
  s3Written (bytes: number): void
  linkIssued (method: LinkMethod): void
  /** Athena's own DataScannedInBytes for a finished (or failed) query; absent when Athena gave none. */
  athenaScanned (bytes: number | undefined): void
}

/** For data clients outside a gateway (the stdio command, unit tests): nothing is exported there. */
export const UNMETERED: CostMeter = {
  meterS3Read: (body) => body,
  s3Written () {},
  linkIssued () {},
  athenaScanned () {}
}

async function * counted (body: AsyncIterable<Uint8Array>, count: (bytes: number) => void): AsyncIterable<Uint8Array> {
  for await (const chunk of body) {
    count(chunk.length)
    yield chunk
  }
}

/** The cost counters, on the gateway's metrics registry. */
export class CostCounters implements CostMeter {
  readonly #s3Read: Counter
  readonly #s3Written: Counter
  readonly #links: Counter<'method'>
  readonly #athenaScanned: Counter

  constructor (registry: Registry) {
    const registers = [registry]
    this.#s3Read = new Counter({ name: 'mcp_gateway_s3_read_bytes_total', help: 'Bytes of S3 objects the gateway downloaded, as stored (compressed objects count compressed, as S3 bills transfer)', registers })
    this.#s3Written = new Counter({ name: 'mcp_gateway_s3_written_bytes_total', help: 'Bytes the gateway uploaded to S3, as stored', registers })
    this.#links = new Counter({ name: 'mcp_gateway_s3_links_issued_total', help: 'Presigned S3 links handed to callers, by HTTP method', labelNames: ['method'] as const, registers })
    this.#athenaScanned = new Counter({ name: 'mcp_gateway_athena_scanned_bytes_total', help: 'Bytes Athena reports it scanned for the gateway\'s queries (Athena bills by these)', registers })
    // Every method from the start: a rate over a series that appears only at its first link misses it.
    for (const method of LINK_METHODS) this.#links.inc({ method }, 0)
  }

  meterS3Read (body: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array> {
    return counted(body, (bytes) => { this.#s3Read.inc(bytes) })
  }

  s3Written (bytes: number): void {
    this.#s3Written.inc(bytes)
  }

  linkIssued (method: LinkMethod): void {
    this.#links.inc({ method })
  }

  athenaScanned (bytes: number | undefined): void {
    if (bytes !== undefined && bytes > 0) this.#athenaScanned.inc(bytes)
  }
}
