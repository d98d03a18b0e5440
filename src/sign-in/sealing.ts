import { hkdfSync } from 'node:crypto'
import { EncryptJWT, jwtDecrypt, type JWTPayload } from 'jose'
import type { SecretStore } from '../auth/secret-store.js'

/**
 * What the sign-in server hands out (client registrations, consent forms, codes, refresh and access
 * tokens) is sealed, not stored: a JWE (dir, A256GCM) under a key derived from the stack's secret, so
 * any replica that knows the secret opens what another issued, and rotating the secret signs users out
 * (as it does in the catalog). Each kind has its own key, so one kind can never pass for another, and
 * each stack its own, so a token of one stack does not open on another even if they shared a secret.
 */
export type SealKind = 'client' | 'consent' | 'code' | 'refresh' | 'access'

const SALT = 'quilt-mcp-gateway sign-in v1'
const keyCache = new Map<string, Uint8Array>()

function derive (secret: string, kind: SealKind, stack: string): Uint8Array {
  const id = `${kind}\n${stack}\n${secret}`
  let key = keyCache.get(id)
  if (key === undefined) {
    key = new Uint8Array(hkdfSync('sha256', secret, SALT, `${kind}\n${stack}`, 32))
    // Few secrets × five kinds × few stacks; bounded anyway, so rotations cannot grow it for ever.
    if (keyCache.size > 256) keyCache.clear()
    keyCache.set(id, key)
  }
  return key
}

/** Seals and opens one stack's artifacts with its current (sealing) and previous (opening) secrets. */
export class Sealer {
  readonly #store: SecretStore
  readonly #stack: string

  constructor (store: SecretStore, stack: string) {
    this.#store = store
    this.#stack = stack
  }

  get ready (): boolean {
    return this.#store.ready
  }

  /** Whether what a secret sealed still opens (it has not been rotated out). */
  stillOpens (secret: string): boolean {
    return this.#store.isCandidate(secret)
  }

  async seal (kind: SealKind, claims: JWTPayload, lifetimeSeconds: number): Promise<string> {
    const secret = this.#store.candidates[0]
    if (secret === undefined) throw new Error('secret not loaded')
    const now = Math.floor(Date.now() / 1000)
    return await new EncryptJWT(claims)
      .setProtectedHeader({ alg: 'dir', enc: 'A256GCM', typ: kind })
      .setIssuedAt(now)
      .setExpirationTime(now + Math.max(1, Math.floor(lifetimeSeconds)))
      .encrypt(derive(secret, kind, this.#stack))
  }

  /** The claims, or undefined when the value is not one of ours of this kind, or has expired. */
  async open (kind: SealKind, sealed: string): Promise<JWTPayload | undefined> {
    const opened = await this.openOrSayWhy(kind, sealed)
    return 'payload' in opened ? opened.payload : undefined
  }

  /** As open, saying whether a refused value expired (a client should refresh) or is not ours at all. */
  async openOrSayWhy (kind: SealKind, sealed: string): Promise<{ payload: JWTPayload, secret: string } | { failure: 'expired' | 'invalid' }> {
    // A compact JWE has five parts; anything else is not worth a decryption attempt.
    if (sealed.length > 16_384 || !looksSealed(sealed)) return { failure: 'invalid' }
    for (const secret of this.#store.candidates) {
      try {
        const { payload, protectedHeader } = await jwtDecrypt(sealed, derive(secret, kind, this.#stack), {
          keyManagementAlgorithms: ['dir'],
          contentEncryptionAlgorithms: ['A256GCM'],
          typ: kind,
          clockTolerance: 5
        })
        return protectedHeader.typ === kind ? { payload, secret } : { failure: 'invalid' }
      } catch (err) {
        const code = (err as { code?: string }).code
        if (code === 'ERR_JWT_EXPIRED') return { failure: 'expired' }
        // Only a key mismatch may be cured by the previous secret; anything else is final.
        if (code !== 'ERR_JWE_DECRYPTION_FAILED') return { failure: 'invalid' }
      }
    }
    return { failure: 'invalid' }
  }
}

/** Whether a bearer has the shape of a sealed gateway token (a compact JWE), before any work on it. */
export function looksSealed (token: string): boolean {
  let dots = 0
  for (let i = 0; i < token.length; i++) if (token.charCodeAt(i) === 46) dots++
  return dots === 4 && token.startsWith('eyJ')
}
