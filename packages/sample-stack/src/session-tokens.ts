import { createHmac, timingSafeEqual } from 'node:crypto'
import { z } from 'zod'

const HeaderSchema = z.object({ alg: z.literal('HS256') })
const ClaimsSchema = z.object({ id: z.union([z.string(), z.number()]), exp: z.number() })

function decodeJson (segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'))
  } catch {
    return undefined
  }
}

/**
 * Catalog session tokens as the real registry checks them: its own HS256 JWT (`id`, `uuid`, `exp`),
 * signed with the stack's secret. Given to the sample registry (`sessionTokens`), a valid, unexpired
 * session token of a listed user selects that user's tenant, i.e. acts as their catalog token. An
 * independent check on purpose, so a test proves the gateway forwards exactly what the registry accepts.
 */
export function sessionTokenVerifier (secret: string, catalogTokenOfUser: Record<string, string>): (bearer: string) => string | undefined {
  return (bearer) => {
    const [header, payload, signature, extra] = bearer.split('.')
    if (header === undefined || payload === undefined || signature === undefined || extra !== undefined) return undefined
    if (!HeaderSchema.safeParse(decodeJson(header)).success) return undefined
    const expected = createHmac('sha256', secret).update(`${header}.${payload}`).digest()
    const given = Buffer.from(signature, 'base64url')
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined
    const claims = ClaimsSchema.safeParse(decodeJson(payload))
    if (!claims.success || claims.data.exp <= Date.now() / 1000) return undefined
    const user = String(claims.data.id)
    return Object.hasOwn(catalogTokenOfUser, user) ? catalogTokenOfUser[user] : undefined
  }
}
