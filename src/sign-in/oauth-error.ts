/** RFC 6749 §5.2 / RFC 7591 §3.2.2 error codes the sign-in server answers with. */
export type OAuthErrorCode =
  | 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type'
  | 'invalid_scope' | 'invalid_redirect_uri' | 'invalid_client_metadata' | 'invalid_target'
  | 'temporarily_unavailable' | 'server_error' | 'access_denied'

const STATUS: Record<OAuthErrorCode, number> = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  invalid_redirect_uri: 400,
  invalid_client_metadata: 400,
  invalid_target: 400,
  access_denied: 403,
  temporarily_unavailable: 503,
  server_error: 500
}

/** An OAuth error answer: `{error, error_description}` JSON with the status RFC 6749 gives it. */
export class OAuthError extends Error {
  readonly error: OAuthErrorCode
  readonly statusCode: number
  readonly headers: Record<string, string>

  constructor (error: OAuthErrorCode, description: string, headers: Record<string, string> = {}) {
    super(description)
    this.name = 'OAuthError'
    this.error = error
    this.statusCode = STATUS[error]
    this.headers = error === 'temporarily_unavailable' ? { 'retry-after': '5', ...headers } : headers
  }

  get body (): { error: OAuthErrorCode, error_description: string } {
    return { error: this.error, error_description: this.message }
  }
}
