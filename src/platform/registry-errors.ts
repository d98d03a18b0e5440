/**
 * Failures talking to a tenant's registry. Messages are written for the model reading the tool result:
 * what failed and what to do next. They never contain tokens or the registry's internal answers verbatim
 * beyond the GraphQL error messages, which the registry writes for users.
 */
export class RegistryError extends Error {
  /** Short machine label for metrics and logs. */
  readonly kind: string = 'registry_error'
}

/** The registry refused the catalog token (HTTP 401/403): expired or revoked catalog session. */
export class RegistryAuthError extends RegistryError {
  override readonly kind = 'auth'
  constructor (status: number) {
    super(`The Quilt catalog rejected the credentials in your token (HTTP ${status}). Sign in to the catalog again to get a fresh token; this is not an empty result.`)
  }
}

/** GraphQL `errors` (also inside HTTP 200) or a typed error arm of a result union. */
export class RegistryQueryError extends RegistryError {
  override readonly kind: string = 'query'
  /** The registry's own GraphQL error messages behind this failure, for the log (which redacts them). */
  readonly graphqlMessages: readonly string[]
  constructor (message: string, options?: ErrorOptions & { graphqlMessages?: readonly string[] }) {
    super(message, options)
    this.graphqlMessages = options?.graphqlMessages ?? []
  }
}

/** `InvalidInput` arm: the registry names each bad input, which tells the model what to fix. */
export class RegistryInputError extends RegistryQueryError {
  override readonly kind = 'invalid_input'
  /** The registry's error names, e.g. `QuerySyntaxError` for a search text it could not parse. */
  readonly names: string[]
  constructor (operation: string, errors: ReadonlyArray<{ path?: string | null, message: string, name?: string }>) {
    const details = errors.map((e) => e.path ? `${e.path}: ${e.message}` : e.message).join('; ')
    super(`The registry rejected the input of ${operation}: ${details}. Correct the arguments and try again.`)
    this.names = errors.flatMap((e) => e.name === undefined ? [] : [e.name])
  }
}

/** The registry is unreachable, timed out, or answered with something that is not GraphQL. */
export class RegistryUnavailableError extends RegistryError {
  override readonly kind: string = 'unavailable'
}

/** The caller went away (client disconnected); nobody reads the answer, so it is logged quietly. */
export class RegistryCancelledError extends RegistryUnavailableError {
  override readonly kind = 'cancelled'
}

export class RegistryTimeoutError extends RegistryUnavailableError {
  override readonly kind = 'timeout'
  constructor (operation: string, timeoutMs: number) {
    super(`The Quilt registry did not answer ${operation} within ${timeoutMs} ms. It may be overloaded; try again later or narrow the request.`)
  }
}

/**
 * The registry refused the document itself (parse or validation errors, no `data`): the gateway sent
 * a shape this registry's era does not have. The client re-learns the registry's capabilities on it.
 */
export class RegistryDocumentError extends RegistryQueryError {
  override readonly kind = 'invalid_document'
  constructor (operation: string, messages: string[], options?: ErrorOptions) {
    super(`The Quilt registry refused the ${operation} request as invalid for its schema: ${messages.join('; ')}. The registry may run a version the gateway does not support; report this to the gateway operators.`, { ...options, graphqlMessages: messages })
  }
}
