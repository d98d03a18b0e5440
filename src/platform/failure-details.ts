import { ClientError } from 'graphql-request'
import { redactSecrets } from '../logger.js'
import type { RegistryError } from './registry-errors.js'

/** What a log line may say about a failed registry call. */
export interface RegistryFailureDetails {
  failure: string
  /** HTTP status of the registry's answer. */
  status?: number
  /** The registry's GraphQL error messages, token-like text redacted. */
  graphqlErrors?: string[]
  /** Node's error code of a network failure (ECONNREFUSED, ...). */
  network?: string
}

const MAX_MESSAGES = 5
const MAX_MESSAGE_CHARS = 300

/**
 * The loggable facts of a registry failure: the status and the GraphQL messages, never the body. A
 * registry's error page may echo the request, Authorization header included, and graphql-request puts
 * the whole body (and our request) into its error message, so neither message nor body is logged.
 */
export function registryFailureDetails (err: RegistryError): RegistryFailureDetails {
  const details: RegistryFailureDetails = { failure: err.kind }
  const cause = err.cause
  if (cause instanceof ClientError) {
    details.status = cause.response.status
    const messages = (cause.response.errors ?? []).slice(0, MAX_MESSAGES).map((e) => redactSecrets(String(e.message).slice(0, MAX_MESSAGE_CHARS)))
    if (messages.length > 0) details.graphqlErrors = messages
  } else if (typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string') {
    details.network = cause.code
  }
  return details
}
