import { randomBytes } from 'node:crypto'
import type { TenantData } from './data.js'

interface IssuedKey {
  /** The catalog token of the tenant the key acts as. */
  tenantToken: string
  expiresAt: number
  revoked: boolean
}

/**
 * Quilt API keys as the real registry (platform ≥ 1.67) treats them: `qk_` bearers it accepts as they
 * are, each acting as one user, expiring (1 to 365 days, default 90) and revocable. Created here for a
 * tenant of the sample data, as `apiKeyCreate` would; the registry consults `resolve` for `qk_` bearers.
 */
export class SampleApiKeys {
  readonly #tenants: Record<string, TenantData>
  readonly #keys = new Map<string, IssuedKey>()

  constructor (tenants: Record<string, TenantData>) {
    this.#tenants = tenants
  }

  /** A new key for the tenant of `tenantToken` (a catalog token of the sample data). */
  create (tenantToken: string, options: { expiresInDays?: number } = {}): string {
    if (!Object.hasOwn(this.#tenants, tenantToken)) throw new Error('no such tenant in the sample data')
    const days = options.expiresInDays ?? 90
    const key = `qk_${randomBytes(24).toString('base64url')}`
    this.#keys.set(key, { tenantToken, expiresAt: Date.now() + days * 86_400_000, revoked: false })
    return key
  }

  /** As `apiKeyRevoke`: the key is refused from now on. */
  revoke (key: string): void {
    const issued = this.#keys.get(key)
    if (issued !== undefined) issued.revoked = true
  }

  /** Whether the key was created here (whatever its state now). */
  knows (key: string): boolean {
    return this.#keys.has(key)
  }

  /** The catalog token the key acts as, or undefined when it is unknown, revoked or expired. */
  resolve (key: string): string | undefined {
    const issued = this.#keys.get(key)
    if (issued === undefined || issued.revoked || issued.expiresAt <= Date.now()) return undefined
    return issued.tenantToken
  }
}
