/**
 * Failures reaching the caller's data (S3, Athena) with their own role. Messages are written for the
 * model reading the tool result: what failed and what to do next. They never contain credentials.
 */
export class DataError extends Error {
  /** Short machine label for metrics and logs. */
  readonly kind: string = 'data_error'
}

/** The registry would not hand out AWS credentials for this caller (HTTP 401/403 from get_credentials). */
export class DataCredentialsError extends DataError {
  override readonly kind = 'credentials'
  constructor (status: number) {
    super(status === 401
      ? 'The Quilt catalog refused to issue data-access credentials for your session (HTTP 401). Sign in to the catalog again.'
      : 'The Quilt catalog refused to issue data-access credentials (HTTP 403): your role has no data access in this stack. Ask a catalog administrator, or switch to a role with S3 access.')
  }
}

/** S3 or Athena said the caller's role may not do this (AccessDenied). */
export class DataAccessDeniedError extends DataError {
  override readonly kind = 'access_denied'
}

/** The bucket, object or version does not exist (or is invisible to this role). */
export class DataNotFoundError extends DataError {
  override readonly kind = 'not_found'
}

/** The temporary credentials were rejected as expired even after fetching fresh ones. */
export class DataExpiredError extends DataError {
  override readonly kind = 'expired'
  constructor () {
    super('AWS rejected your temporary credentials as expired, also after fetching fresh ones from the catalog. Sign in to the catalog again; if it persists, the machine clocks may disagree.')
  }
}

/** The request itself is unusable (a bad SQL statement, a refused query); the message says why. */
export class DataInputError extends DataError {
  override readonly kind = 'invalid_input'
}

/** S3, Athena or the credentials endpoint failed or could not be reached. */
export class DataUnavailableError extends DataError {
  override readonly kind: string = 'unavailable'
}

/** The client went away; nobody reads the answer. */
export class DataCancelledError extends DataUnavailableError {
  override readonly kind = 'cancelled'
}

/** Node's AbortError is a DOMException, which is not always an instanceof Error. */
export function isAbortError (err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'name' in err && err.name === 'AbortError'
}
