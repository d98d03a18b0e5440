/**
 * Who is calling, as limits and the audit line count them: (registry, kind of credential, subject).
 * Kinds never share a budget: a claims token with `sub: "7"` and the session of registry user `id 7`
 * are different callers, even on one registry. A new kind of credential is one more entry here.
 * @public the list is where the kinds are documented; code imports only its type, CallerKind
 */
export const CALLER_KINDS = [
  /** A gateway claims token; subject: its `sub`, else a hash of its catalog token. */
  'claims',
  /** A catalog session token of a fronted stack; subject: the registry user's `id`. */
  'session',
  /** A Quilt API key (`qk_...`); subject: its user as the registry names it (`me.name`). */
  'api_key',
  /** A Quilt Connect token; subject: its `sub`. */
  'connect',
  /** An access token of the gateway's own sign-in server (src/sign-in); subject: its user as the registry named them at sign-in. */
  'sign_in',
  /** stdio's single local user (quilt3's login or environment credentials); subject: a hash of the token. */
  'local'
] as const

export type CallerKind = typeof CALLER_KINDS[number]

export interface Caller {
  /** The registry origin (as in Tenant.registryUrl): two stacks may both have a user "admin". */
  readonly registry: string
  readonly kind: CallerKind
  /** Who, within the registry and kind; never a secret (a hash stands in when the credential names nobody). */
  readonly subject: string
  /** The three above as one unambiguous string: the key of budgets and call slots. */
  readonly key: string
}

export function callerOf (registry: string, kind: CallerKind, subject: string): Caller {
  // JSON, not a separator: no registry URL or subject can make two callers' keys equal.
  return { registry, kind, subject, key: JSON.stringify([kind, registry, subject]) }
}
