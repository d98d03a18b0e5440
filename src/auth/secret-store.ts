import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm'
import type { FastifyBaseLogger } from 'fastify'
import { normaliseSecret } from '../config/secret-source.js'
import { inSpan } from '../telemetry/spans.js'

export type SecretReader = () => Promise<string>

const SSM_CONNECT_TIMEOUT_MS = 3000
const SSM_REQUEST_TIMEOUT_MS = 5000

export function ssmSecretReader (parameter: string, region: string): SecretReader {
  // Endpoint and credentials come from the AWS SDK's own chain (AWS_ENDPOINT_URL_SSM, task role, ...).
  // The SDK sets no timeout by default: an endpoint that drops packets would hang a read for ever.
  const client = new SSMClient({ region, maxAttempts: 3, requestHandler: { connectionTimeout: SSM_CONNECT_TIMEOUT_MS, requestTimeout: SSM_REQUEST_TIMEOUT_MS } })
  return async () => {
    const { Parameter } = await inSpan(() => ['SSM.GetParameter', { 'rpc.system': 'aws-api', 'rpc.service': 'SSM', 'rpc.method': 'GetParameter' }],
      () => client.send(new GetParameterCommand({ Name: parameter, WithDecryption: true })))
    if (typeof Parameter?.Value !== 'string') throw new Error(`SSM parameter ${parameter} has no value`)
    return normaliseSecret(Parameter.Value, `SSM parameter ${parameter}`)
  }
}

export interface SecretStoreOptions {
  refreshMs: number
  log: FastifyBaseLogger
  /** First retry delay after a failed initial load; doubles up to maxRetryMs. */
  retryMs?: number
  maxRetryMs?: number
}

/**
 * Holds the HS256 secret(s). Loaded off the request path: requests only read memory, so a flood of bad
 * tokens never turns into SSM calls. A rotated secret keeps the previous one valid until the next
 * refresh, so tokens minted just before a rotation keep working; a failed refresh keeps the last good one.
 */
export class SecretStore {
  #current: string | undefined
  #previous: string | undefined
  #loadedAt: number | undefined
  #inflight: Promise<void> | undefined
  #timer: NodeJS.Timeout | undefined
  #stopped = false
  readonly #read: SecretReader
  readonly #options: Required<SecretStoreOptions>

  constructor (read: SecretReader, options: SecretStoreOptions) {
    this.#read = read
    this.#options = { retryMs: 500, maxRetryMs: 30_000, ...options }
  }

  get ready (): boolean {
    return this.#current !== undefined
  }

  /** Secrets to try, newest first. */
  get candidates (): string[] {
    if (this.#current === undefined) return []
    return this.#previous === undefined ? [this.#current] : [this.#current, this.#previous]
  }

  /** Whether a secret is still one of the candidates (checked per request, so no array is built). */
  isCandidate (secret: string): boolean {
    return secret === this.#current || (this.#previous !== undefined && secret === this.#previous)
  }

  /** Seconds since the secret was last read successfully, or undefined before the first load. */
  get ageSeconds (): number | undefined {
    return this.#loadedAt === undefined ? undefined : (Date.now() - this.#loadedAt) / 1000
  }

  /** Reads the secret now; concurrent callers share one read (single-flight). */
  refresh (): Promise<void> {
    this.#inflight ??= this.#load().finally(() => { this.#inflight = undefined })
    return this.#inflight
  }

  async #load (): Promise<void> {
    const value = await this.#read()
    if (value !== this.#current) {
      if (this.#current !== undefined) this.#options.log.info('JWT secret rotated; the previous secret stays valid until the next refresh')
      this.#previous = this.#current
      this.#current = value
    } else {
      this.#previous = undefined
    }
    this.#loadedAt = Date.now()
  }

  /** Starts loading; resolves after the first attempt (successful or not) and keeps retrying in the background. */
  async start (): Promise<void> {
    try {
      await this.refresh()
      this.#options.log.info('JWT secret loaded')
      this.#schedule(this.#options.refreshMs, 0)
    } catch (err) {
      this.#onFailure(err, 0)
    }
  }

  #schedule (delayMs: number, failures: number): void {
    if (this.#stopped) return
    this.#timer = setTimeout(() => {
      this.refresh().then(
        () => this.#schedule(this.#options.refreshMs, 0),
        (err: unknown) => this.#onFailure(err, failures)
      )
    }, delayMs)
    this.#timer.unref()
  }

  #onFailure (err: unknown, failures: number): void {
    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
    if (this.ready) {
      this.#options.log.warn({ failure: message }, 'JWT secret refresh failed; keeping the last good secret')
      this.#schedule(Math.min(this.#options.refreshMs, this.#options.maxRetryMs), failures + 1)
    } else {
      const delay = Math.min(this.#options.retryMs * 2 ** failures, this.#options.maxRetryMs)
      this.#options.log.error({ failure: message, retryInMs: delay }, 'JWT secret could not be loaded; requests get 503 until it is')
      this.#schedule(delay, failures + 1)
    }
  }

  stop (): void {
    this.#stopped = true
    clearTimeout(this.#timer)
  }
}
