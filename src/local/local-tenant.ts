import { normaliseRegistryUrl } from '../registry-address.js'
import { callerOf } from '../platform/caller.js'
import { anonymousSubject, NO_KNOWN_EXPIRY, tenantKey, type Tenant } from '../platform/tenant.js'
import type { LocalCredentials } from './quilt3-login.js'

/**
 * The one tenant of the stdio mode. No allow-list here: the user runs the gateway with their own
 * credentials against the registry they configured, exactly as quilt3 would talk to it. Environment
 * credentials carry no expiry, so the tenant never expires and the registry decides.
 */
export function tenantFromLocalCredentials (credentials: LocalCredentials): Tenant {
  const registryUrl = normaliseRegistryUrl(new URL(credentials.registryUrl))
  return {
    catalogToken: credentials.catalogToken,
    registryUrl,
    catalogUrl: credentials.catalogUrl,
    // quilt3 may save a fractional expires_at; the registry-client cache wants whole milliseconds.
    expiresAt: Math.floor(credentials.expiresAt ?? NO_KNOWN_EXPIRY),
    key: tenantKey(registryUrl, credentials.catalogToken),
    caller: callerOf(registryUrl, 'local', anonymousSubject(credentials.catalogToken))
  }
}
