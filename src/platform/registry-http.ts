/**
 * HTTP to a tenant's registry: one undici dispatcher for the process, which keeps a keep-alive pool per
 * registry origin, so every tenant's calls reuse warm connections (a TLS handshake per tool call would
 * dominate its latency). Bodies are read whole, up to a cap, and trace context goes out with each request.
 */
import { Agent, request } from 'undici'
import { z } from 'zod'
import { injectTraceHeaders } from '../telemetry/spans.js'
import type { GraphqlErrorLike } from './partial-data.js'

/** Registry answers larger than this are refused rather than buffered (a runaway or hostile registry). */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024

const dispatcher = new Agent({ connections: 128, maxResponseSize: MAX_RESPONSE_BYTES })

export interface RegistryRequest {
  method: 'GET' | 'POST'
  headers: Record<string, string>
  body?: string
  signal?: AbortSignal
}

export interface RegistryResponse {
  status: number
  body: string
}

/** Rejects with the AbortSignal's reason when aborted, and with undici's error (its `code` says which) on network failure. */
export async function registryRequest (url: string, { method, headers, body, signal }: RegistryRequest): Promise<RegistryResponse> {
  const sent = { ...headers }
  injectTraceHeaders(sent)
  const response = await request(url, { method, headers: sent, body, signal, dispatcher })
  return { status: response.statusCode, body: await response.body.text() }
}

const GraphqlErrors = z.array(z.looseObject({ message: z.string(), path: z.array(z.union([z.string(), z.number()])).optional() }))
// A GraphQL answer; `data` stays undefined when absent and null when the registry sent null, since the caller tells them apart.
const GraphqlBody = z.looseObject({ data: z.unknown().optional(), errors: GraphqlErrors.optional() })

export type GraphqlAnswer = z.output<typeof GraphqlBody>

/** A non-2xx answer, with what GraphQL it carried (its body is never kept: it may echo the request). */
export class RegistryHttpError extends Error {
  override name = 'RegistryHttpError'
  readonly status: number
  readonly errors: readonly GraphqlErrorLike[] | undefined
  readonly data: unknown

  constructor (status: number, answer: GraphqlAnswer | undefined) {
    super(`registry answered HTTP ${status}`)
    this.status = status
    this.errors = answer?.errors
    this.data = answer?.data
  }
}

function graphqlAnswer (body: string): GraphqlAnswer | undefined {
  try {
    const parsed = GraphqlBody.safeParse(JSON.parse(body))
    return parsed.success ? parsed.data : undefined
  } catch {
    return undefined
  }
}

/**
 * POSTs one GraphQL operation. A 2xx answer is returned with both `data` and `errors` (a partial answer
 * may still be usable); anything else throws RegistryHttpError; a 2xx body that is not JSON throws
 * SyntaxError, and one that is JSON but no GraphQL answer throws RegistryHttpError.
 */
export interface GraphqlPost {
  url: string
  token: string
  operationName: string
  query: string
  variables: unknown
  signal: AbortSignal
}

export async function postGraphql ({ url, token, operationName, query, variables, signal }: GraphqlPost): Promise<GraphqlAnswer> {
  const { status, body } = await registryRequest(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json' },
    body: JSON.stringify({ query, operationName, variables }),
    signal
  })
  if (status < 200 || status >= 300) throw new RegistryHttpError(status, graphqlAnswer(body))
  const answer = GraphqlBody.safeParse(JSON.parse(body))
  if (!answer.success || (answer.data.data === undefined && answer.data.errors === undefined)) throw new RegistryHttpError(status, undefined)
  return answer.data
}
