import { LRUCache } from 'lru-cache'
import { endSpan, startClientSpan, withinSpan } from '../telemetry/spans.js'
import { CapabilityCache, capabilitiesQuery, NEWEST_CAPABILITIES, sharedCapabilities } from './capabilities.js'
import { isEraOperation, type EraOperation, type Operation, type RegistryCapabilities, type Variables } from './operation.js'
import { partialAnswer, type GraphqlErrorLike } from './partial-data.js'
import {
  RegistryAuthError, RegistryCancelledError, RegistryDocumentError, RegistryError, RegistryQueryError, RegistryTimeoutError,
  RegistryUnavailableError
} from './registry-errors.js'
import { callDeadline } from './call-deadline.js'
import { postGraphql, RegistryHttpError } from './registry-http.js'
import type { Tenant } from './tenant.js'

type CallOutcome = 'ok' | RegistryError['kind']

export interface RegistryClientOptions {
  timeoutMs: number
  mutationTimeoutMs: number
  /** Called once per registry call, for metrics. */
  observe?: (operation: string, outcome: CallOutcome, seconds: number) => void
  /** Where registry capabilities are cached; the process-wide cache when absent. */
  capabilities?: CapabilityCache
  /** Where a registry that refuses the capabilities probe is reported (once per assumption). */
  log?: { warn: (details: object, message: string) => void }
  /** Called when the registry refuses this client's token (HTTP 401/403): what was issued for it must go. */
  onTokenRefused?: () => void
}

interface CallOptions {
  /** Aborted when the caller goes away. */
  signal?: AbortSignal
  /** Receives a sentence naming the registry's errors when a partial answer is used. */
  notes?: string[]
}

export interface RegistryClient {
  /** Runs an operation; an era operation is sent in the shape this registry accepts. */
  execute<V extends Variables, T>(op: Operation<V, T> | EraOperation<V, T>, variables: V, call?: AbortSignal | CallOptions): Promise<T>
  /** What this registry's schema offers (learnt once per registry URL). */
  capabilities(): Promise<RegistryCapabilities>
}

const messagesOf = (errors: readonly GraphqlErrorLike[] | undefined) => (errors ?? []).map((e) => e.message).filter((m) => m.length > 0)

function registryErrorsFailure (op: Operation<Variables, unknown>, messages: string[], cause: unknown): RegistryQueryError {
  return new RegistryQueryError(`The Quilt registry reported an error for ${op.name}: ${messages.join('; ')}. This is an error on the registry side, not an empty result; retry later or report it to the catalog administrators if it persists.`, { cause, graphqlMessages: messages })
}

function describeFailure (err: unknown, op: Operation<Variables, unknown>, timedOut: boolean, timeoutMs: number, cancelled: boolean): RegistryError {
  if (err instanceof RegistryError) return err
  if (timedOut) return new RegistryTimeoutError(op.name, timeoutMs)
  if (err instanceof RegistryHttpError) {
    const { status } = err
    if (status === 401 || status === 403) return new RegistryAuthError(status)
    const messages = messagesOf(err.errors)
    // No `data` at all: the registry refused the document itself (parse or validation), before running it.
    if (messages.length > 0 && err.data == null && status === 400) return new RegistryDocumentError(op.name, messages, { cause: err })
    if (messages.length > 0) return registryErrorsFailure(op, messages, err)
    return new RegistryUnavailableError(`The Quilt registry answered ${op.name} with HTTP ${status} and no GraphQL result. Try again later.`, { cause: err })
  }
  // undici rejects with the signal's reason, which the SDK sets to whatever the client's cancellation said.
  if (cancelled) {
    return new RegistryCancelledError(`The ${op.name} call was cancelled because the client went away.`, { cause: err })
  }
  if (err instanceof SyntaxError) {
    return new RegistryUnavailableError(`The Quilt registry answered ${op.name} with a body that is not valid JSON. Try again later.`, { cause: err })
  }
  return new RegistryUnavailableError(`Could not reach the Quilt registry for ${op.name} (network error). Try again later.`, { cause: err })
}

const toCallOptions = (call: AbortSignal | CallOptions | undefined): CallOptions => call instanceof AbortSignal ? { signal: call } : call ?? {}

export function createRegistryClient (tenant: Pick<Tenant, 'registryUrl' | 'catalogToken'>, options: RegistryClientOptions): RegistryClient {
  const url = `${tenant.registryUrl}/graphql`
  const cache = options.capabilities ?? sharedCapabilities
  const registryHost = new URL(tenant.registryUrl).host

  /** `label` names the operation in error messages: the tool's own when learning capabilities for it. */
  async function run<V extends Variables, T> (op: Operation<V, T>, variables: V, call: CallOptions, label = op.name): Promise<T> {
    const timeoutMs = op.kind === 'mutation' ? options.mutationTimeoutMs : options.timeoutMs
    const deadline = callDeadline(timeoutMs, call.signal)
    const started = process.hrtime.bigint()
    let outcome: CallOutcome = 'ok'
    const span = startClientSpan(() => [`graphql ${op.name}`, { 'graphql.operation.name': op.name, 'graphql.operation.type': op.kind, 'server.address': registryHost }])
    try {
      // An answer with both data and errors comes back, to be used where it suffices.
      const response = await withinSpan(span, () => postGraphql({
        url,
        token: tenant.catalogToken,
        operationName: op.name,
        query: op.document,
        variables,
        signal: deadline.signal
      }))
      const messages = messagesOf(response.errors)
      if (messages.length > 0 && response.data === undefined) throw new RegistryDocumentError(op.name, messages)
      if (messages.length > 0) {
        const partial = partialAnswer(op, response.data, response.errors ?? [])
        if (partial === undefined) throw registryErrorsFailure(op as Operation<Variables, unknown>, messages, undefined)
        call.notes?.push(`The registry reported errors for part of this answer (${op.name}): ${messages.join('; ')}. The answer uses the data the registry did return; what those errors concern may be missing.`)
        return partial
      }
      const parsed = op.result.safeParse(response.data)
      if (!parsed.success) {
        throw new RegistryUnavailableError(`The Quilt registry answered ${op.name} in an unexpected shape; the gateway and the registry may be on incompatible versions.`, { cause: parsed.error })
      }
      return parsed.data
    } catch (err) {
      const failure = describeFailure(err, { ...op, name: label } as Operation<Variables, unknown>, deadline.timedOut, timeoutMs, call.signal?.aborted === true)
      if (failure instanceof RegistryAuthError) options.onTokenRefused?.()
      outcome = failure.kind
      throw failure
    } finally {
      deadline.clear()
      endSpan(span, outcome)
      options.observe?.(op.name, outcome, Number(process.hrtime.bigint() - started) / 1e9)
    }
  }

  function capabilities (forOperation = capabilitiesQuery.name): Promise<RegistryCapabilities> {
    // Not bound to any caller's signal: the answer is shared by every call waiting for it.
    return cache.get(tenant.registryUrl, async () => {
      try {
        return { capabilities: await run(capabilitiesQuery, {}, {}, forOperation), assumed: false }
      } catch (err) {
        // Only a refusal of the probe document itself (introspection switched off is a validation
        // error) says something about the schema; any other failure is the call's, not an era.
        if (!(err instanceof RegistryDocumentError)) throw err
        options.log?.warn({ registryHost, graphqlErrors: err.graphqlMessages }, 'registry refused the capabilities probe: assuming the newest schema for a minute')
        return { capabilities: NEWEST_CAPABILITIES, assumed: true }
      }
    })
  }

  return {
    capabilities: () => capabilities(),
    async execute<V extends Variables, T> (op: Operation<V, T> | EraOperation<V, T>, variables: V, callOrSignal?: AbortSignal | CallOptions): Promise<T> {
      const call = toCallOptions(callOrSignal)
      if (!isEraOperation(op)) return run(op, variables, call)
      const known = await capabilities(op.name)
      try {
        return await run(op.shape(known), variables, call)
      } catch (err) {
        if (!(err instanceof RegistryDocumentError)) throw err
        // The registry refused the shape: it may have been upgraded (or downgraded) since we learnt it.
        cache.forget(tenant.registryUrl)
        const fresh = await capabilities(op.name)
        if (JSON.stringify(fresh) === JSON.stringify(known)) throw err
        return run(op.shape(fresh), variables, call)
      }
    }
  }
}

export interface RegistryClientsOptions extends Omit<RegistryClientOptions, 'onTokenRefused'> {
  /** Called when a registry refuses a tenant's token (see RegistryClientOptions.onTokenRefused). */
  onTokenRefused?: (tenant: Tenant) => void
}

/**
 * Registry clients per (registry, catalog token), so a tenant's burst of tool calls shares one client.
 * Bounded, and an entry never outlives the token it was built from.
 */

export class RegistryClients {
  readonly #cache: LRUCache<string, RegistryClient>
  readonly #options: RegistryClientsOptions

  constructor (options: RegistryClientsOptions, max = 1000) {
    this.#options = options
    this.#cache = new LRUCache({ max, ttlAutopurge: false })
  }

  for (tenant: Tenant): RegistryClient {
    let client = this.#cache.get(tenant.key)
    if (client === undefined) {
      const { onTokenRefused, ...options } = this.#options
      client = createRegistryClient(tenant, { ...options, onTokenRefused: onTokenRefused === undefined ? undefined : () => { onTokenRefused(tenant) } })
      const ttl = tenant.expiresAt * 1000 - Date.now()
      if (ttl > 0) this.#cache.set(tenant.key, client, { ttl })
    }
    return client
  }

  get size (): number {
    return this.#cache.size
  }
}
