import { redactSecrets } from '../telemetry/logger.js'
import { RegistryQueryError, type RegistryError } from './registry-errors.js'
import { RegistryHttpError } from './registry-http.js'

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
 * registry's error page may echo the request, Authorization header included, so its body is never kept
 * (RegistryHttpError holds only the status and the GraphQL errors) and the messages are redacted.
 */
export function registryFailureDetails (err: RegistryError): RegistryFailureDetails {
  const details: RegistryFailureDetails = { failure: err.kind }
  const cause = err.cause
  // GraphQL errors in a 200 answer come on the error itself, not in a RegistryHttpError.
  let messages: readonly string[] = err instanceof RegistryQueryError ? err.graphqlMessages : []
  if (cause instanceof RegistryHttpError) {
    details.status = cause.status
    if (messages.length === 0) messages = (cause.errors ?? []).map((e) => e.message)
  } else if (typeof cause === 'object' && cause !== null && 'code' in cause && typeof cause.code === 'string') {
    details.network = cause.code
  }
  if (messages.length > 0) details.graphqlErrors = messages.slice(0, MAX_MESSAGES).map((message) => redactSecrets(message).slice(0, MAX_MESSAGE_CHARS))
  return details
}
