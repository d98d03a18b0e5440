/** The scopes of the sign-in server: reading the catalog, and changing it. */
export const SCOPES = ['quilt:read', 'quilt:write'] as const
export type Scope = typeof SCOPES[number]

/** The scopes asked for: unknown ones are ignored, and none known (or none asked) means both. */
export function askedScopes (scope: string | undefined): Scope[] {
  const asked = (scope ?? '').split(' ').filter((name): name is Scope => (SCOPES as readonly string[]).includes(name))
  if (asked.length === 0) return [...SCOPES]
  // Writing implies reading: a token that may change the catalog may also look at it.
  return asked.includes('quilt:write') ? [...SCOPES] : ['quilt:read']
}

/** A refresh may narrow the grant, never widen it. */
export function narrowed (granted: readonly Scope[], scope: string | undefined): Scope[] {
  if (scope === undefined || scope.trim() === '') return [...granted]
  return askedScopes(scope).filter((name) => granted.includes(name))
}

export const canWrite = (scopes: readonly string[]) => scopes.includes('quilt:write')
