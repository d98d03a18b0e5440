/**
 * The gateway's HTTP error catalog. Every error body is a JSON-RPC error envelope so that MCP clients
 * and plain JSON-RPC callers parse it the same way; `data.reason` is the stable machine code.
 */
export const HTTP_ERRORS = {
  missing_token: { status: 401, message: 'Authentication required: send "Authorization: Bearer <token>".' },
  invalid_header: { status: 401, message: 'The Authorization header must be "Bearer <token>".' },
  malformed_token: { status: 401, message: 'The bearer token is not a well-formed JWT.' },
  missing_expiry: { status: 401, message: 'The token has no "exp" claim; gateway tokens must expire, so exp is required.' },
  token_lifetime_too_long: { status: 401, message: 'The token is valid for longer than this gateway accepts; ask the catalog for a shorter-lived token.' },
  invalid_signature: { status: 401, message: 'The token signature is invalid.' },
  unsupported_algorithm: { status: 401, message: 'The token must be signed with HS256.' },
  token_expired: { status: 401, message: 'The token has expired; sign in to the catalog again.' },
  token_not_yet_valid: { status: 401, message: 'The token is not valid yet (nbf/iat in the future).' },
  invalid_issuer: { status: 401, message: 'The token was issued by an unexpected issuer.' },
  invalid_audience: { status: 401, message: 'The token is not meant for this gateway (audience).' },
  missing_claims: { status: 403, message: 'The token lacks usable catalog_token/registry_url claims.' },
  registry_not_allowed: { status: 403, message: 'The token points at a registry this gateway does not serve.' },
  origin_not_allowed: { status: 403, message: 'Requests from this browser origin are not allowed.' },
  secret_unavailable: { status: 503, message: 'The gateway is starting and cannot verify tokens yet; retry shortly.' },
  api_key_refused: { status: 401, message: 'The Quilt registry refused this API key (unknown, revoked or expired); create a new one with quilt3.api_keys or in the catalog.' },
  api_key_not_supported: { status: 403, message: 'This gateway fronts no Quilt stack at this address, so it cannot use a Quilt API key (qk_...); send a token from the Quilt catalog, or reach the gateway at the address of the stack that issued the key.' },
  credential_checks_limited: { status: 429, message: 'Too many refused credentials from this address; retry after the indicated delay.' },
  registry_unavailable: { status: 503, message: 'The Quilt registry could not be reached to check this credential; retry shortly.' },
  connect_unavailable: { status: 503, message: 'Quilt Connect\'s metadata or signing keys could not be fetched to verify this token; retry shortly.' },
  method_not_allowed: { status: 405, message: 'Method not allowed: the MCP endpoint accepts POST only (stateless server).' },
  not_found: { status: 404, message: 'Not found.' },
  invalid_json: { status: 400, message: 'The request body is not valid JSON.', rpcCode: -32700 },
  invalid_request: { status: 400, message: 'The body must be a JSON-RPC 2.0 message or a non-empty array of them.', rpcCode: -32600 },
  unsupported_protocol_version: { status: 400, message: 'Unsupported MCP-Protocol-Version header.', rpcCode: -32600 },
  batch_too_large: { status: 400, message: 'The JSON-RPC batch holds too many messages.', rpcCode: -32600 },
  batch_not_supported: { status: 400, message: 'JSON-RPC batches are not part of the negotiated MCP protocol version.', rpcCode: -32600 },
  bad_request: { status: 400, message: 'Bad request.' },
  unsupported_media_type: { status: 415, message: 'Send the JSON-RPC message with "Content-Type: application/json".' },
  body_too_large: { status: 413, message: 'The request body is too large.' },
  headers_too_large: { status: 431, message: 'The request headers are too large.' },
  request_timeout: { status: 408, message: 'The request was not received in time.' },
  handler_timeout: { status: 504, message: 'The gateway did not finish the request in time.' },
  rate_limited: { status: 429, message: 'Too many requests; retry after the indicated delay.' },
  too_many_concurrent_calls: { status: 429, message: 'Too many tool calls in progress for this user; retry when some have finished.' },
  overloaded: { status: 503, message: 'The gateway is overloaded; retry shortly.' },
  internal_error: { status: 500, message: 'Internal error in the gateway; it has been logged.' }
} as const satisfies Record<string, { status: number, message: string, rpcCode?: number }>

export type ErrorReason = keyof typeof HTTP_ERRORS

/** JSON-RPC code for gateway-level failures (server-defined range), unless the catalog names a standard one. */
export const GATEWAY_ERROR_CODE = -32001

export class GatewayError extends Error {
  readonly statusCode: number
  readonly reason: ErrorReason
  readonly headers: Record<string, string>

  constructor (reason: ErrorReason, options: { message?: string, headers?: Record<string, string> } = {}) {
    // These are expected answers (bad tokens arrive by the thousand), not bugs: a stack trace would
    // cost more than verifying the token, and the reason code already says where it came from.
    const stackTraceLimit = Error.stackTraceLimit
    Error.stackTraceLimit = 0
    super(options.message ?? HTTP_ERRORS[reason].message)
    Error.stackTraceLimit = stackTraceLimit
    this.name = 'GatewayError'
    this.reason = reason
    this.statusCode = HTTP_ERRORS[reason].status
    this.headers = options.headers ?? {}
  }
}

export function errorBody (reason: ErrorReason, message: string = HTTP_ERRORS[reason].message) {
  return {
    jsonrpc: '2.0' as const,
    error: { code: 'rpcCode' in HTTP_ERRORS[reason] ? HTTP_ERRORS[reason].rpcCode : GATEWAY_ERROR_CODE, message, data: { reason } },
    id: null
  }
}
