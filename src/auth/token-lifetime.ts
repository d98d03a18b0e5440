import { GatewayError } from '../http/errors.js'

/**
 * Refuses a token that lives longer than the gateway allows: `exp − iat` when the token says when it
 * was issued, else `exp − now` (what is left of it). A leaked token is then bounded in time even when
 * its signer set an absurd `exp` (`1e300` would also break every date computed from it).
 */
export function checkTokenLifetime (claims: { exp?: unknown, iat?: unknown }, now: number, maxSeconds: number): void {
  const { exp, iat } = claims
  if (typeof exp !== 'number') return
  const from = typeof iat === 'number' && Number.isFinite(iat) ? iat : now
  if (!Number.isFinite(exp) || exp - from > maxSeconds) {
    throw new GatewayError('token_lifetime_too_long', {
      message: `The token is valid for longer than this gateway accepts (at most ${maxSeconds} s from iat to exp); ask the catalog for a shorter-lived token.`
    })
  }
}
