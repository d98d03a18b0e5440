import { ClientError, GraphQLClient, type RequestOptions } from 'graphql-request'
import { LRUCache } from 'lru-cache'
import type { z } from 'zod'
import { endSpan, startClientSpan, withinSpan } from '../telemetry/spans.js'
import { keepAliveFetch } from './http-fetch.js'
import {
  RegistryAuthError, RegistryCancelledError, RegistryError, RegistryQueryError, RegistryTimeoutError, RegistryUnavailableError
} from './registry-errors.js'
import type { Tenant } from './tenant.js'

export type Variables = Record<string, unknown>

/** A named GraphQL operation and the zod schema its `data` must satisfy. */
export interface Operation<V extends Variables, T> {
  name: string
  kind: 'query' | 'mutation'
  document: string
  result: z.ZodType<T>
  /** Only for typing call sites; never read. */
  readonly variables?: V
}

/**
 * Declares an operation; curried so the variables type is written once and the result type is inferred
 * from the zod schema: `defineOperation<{ bucket: string }>()({ name, kind, document, result })`.
 */
export function defineOperation<V extends Variables = Record<string, never>> () {
  return <S extends z.ZodType>(op: { name: string, kind: 'query' | 'mutation', document: string, result: S }): Operation<V, z.output<S>> => {
    // Every operation is named (the registry logs by name); a mismatch is a bug caught at import time.
    if (!new RegExp(`^\\s*${op.kind}\\s+${op.name}\\b`).test(op.document)) {
      throw new Error(`GraphQL document for ${op.name} must start with "${op.kind} ${op.name}"`)
    }
    return op as Operation<V, z.output<S>>
  }
}

export type CallOutcome = 'ok' | RegistryError['kind']

export interface RegistryClientOptions {
  timeoutMs: number
  mutationTimeoutMs: number
  /** Called once per registry call, for metrics. */
  observe?: (operation: string, outcome: CallOutcome, seconds: number) => void
}

export interface RegistryClient {
  execute<V extends Variables, T>(op: Operation<V, T>, variables: V, signal?: AbortSignal): Promise<T>
}

function describeFailure (err: unknown, op: Operation<Variables, unknown>, timedOut: boolean, timeoutMs: number): RegistryError {
  if (err instanceof RegistryError) return err
  if (timedOut) return new RegistryTimeoutError(op.name, timeoutMs)
  if (err instanceof ClientError) {
    const { status } = err.response
    if (status === 401 || status === 403) return new RegistryAuthError(status)
    const messages = (err.response.errors ?? []).map((e) => e.message).filter((m) => m.length > 0)
    if (messages.length > 0) {
      return new RegistryQueryError(`The Quilt registry reported an error for ${op.name}: ${messages.join('; ')}. This is an error on the registry side, not an empty result; retry later or report it to the catalog administrators if it persists.`, { cause: err })
    }
    return new RegistryUnavailableError(`The Quilt registry answered ${op.name} with HTTP ${status} and no GraphQL result. Try again later.`, { cause: err })
  }
  // Node's AbortError is a DOMException, which is not always an instanceof Error.
  if (typeof err === 'object' && err !== null && 'name' in err && err.name === 'AbortError') {
    return new RegistryCancelledError(`The ${op.name} call was cancelled because the client went away.`, { cause: err })
  }
  if (err instanceof SyntaxError) {
    return new RegistryUnavailableError(`The Quilt registry answered ${op.name} with a body that is not valid JSON. Try again later.`, { cause: err })
  }
  return new RegistryUnavailableError(`Could not reach the Quilt registry for ${op.name} (network error). Try again later.`, { cause: err })
}

export function createRegistryClient (tenant: Pick<Tenant, 'registryUrl' | 'catalogToken'>, options: RegistryClientOptions): RegistryClient {
  const client = new GraphQLClient(`${tenant.registryUrl}/graphql`, {
    headers: { authorization: `Bearer ${tenant.catalogToken}` },
    fetch: keepAliveFetch
  })
  const registryHost = new URL(tenant.registryUrl).host
  return {
    async execute<V extends Variables, T> (op: Operation<V, T>, variables: V, signal?: AbortSignal): Promise<T> {
      const timeoutMs = op.kind === 'mutation' ? options.mutationTimeoutMs : options.timeoutMs
      const timeout = AbortSignal.timeout(timeoutMs)
      const started = process.hrtime.bigint()
      let outcome: CallOutcome = 'ok'
      const span = startClientSpan(() => [`graphql ${op.name}`, { 'graphql.operation.name': op.name, 'graphql.operation.type': op.kind, 'server.address': registryHost }])
      try {
        const request: RequestOptions<Variables> = {
          document: op.document,
          variables,
          signal: signal === undefined ? timeout : AbortSignal.any([timeout, signal])
        }
        const data: unknown = await withinSpan(span, () => client.request(request))
        const parsed = op.result.safeParse(data)
        if (!parsed.success) {
          throw new RegistryUnavailableError(`The Quilt registry answered ${op.name} in an unexpected shape; the gateway and the registry may be on incompatible versions.`, { cause: parsed.error })
        }
        return parsed.data
      } catch (err) {
        const failure = describeFailure(err, op as Operation<Variables, unknown>, timeout.aborted, timeoutMs)
        outcome = failure.kind
        throw failure
      } finally {
        endSpan(span, outcome)
        options.observe?.(op.name, outcome, Number(process.hrtime.bigint() - started) / 1e9)
      }
    }
  }
}

/**
 * Registry clients per (registry, catalog token), so a tenant's burst of tool calls shares one client.
 * Bounded, and an entry never outlives the token it was built from.
 */
export class RegistryClients {
  readonly #cache: LRUCache<string, RegistryClient>
  readonly #options: RegistryClientOptions

  constructor (options: RegistryClientOptions, max = 1000) {
    this.#options = options
    this.#cache = new LRUCache({ max, ttlAutopurge: false })
  }

  for (tenant: Tenant): RegistryClient {
    let client = this.#cache.get(tenant.key)
    if (client === undefined) {
      client = createRegistryClient(tenant, this.#options)
      const ttl = tenant.expiresAt * 1000 - Date.now()
      if (ttl > 0) this.#cache.set(tenant.key, client, { ttl })
    }
    return client
  }

  get size (): number {
    return this.#cache.size
  }
}
