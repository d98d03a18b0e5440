import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { randomUUID } from 'node:crypto'
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose'

type Algorithm = 'RS256' | 'ES256'

interface SigningKey {
  kid: string
  alg: Algorithm
  privateKey: CryptoKey
  jwk: JWK
}

interface MintOptions {
  /** Which published key signs (the newest of that algorithm by default). */
  alg?: Algorithm
  /** Overrides of the standard claims; undefined removes one. */
  claims?: Record<string, unknown>
  /** Seconds until `exp`; 3600 by default. */
  expiresIn?: number
  /** Sign with this key instead of a published one (someone else's key), under its own kid. */
  foreignKey?: { kid: string, privateKey: CryptoKey, alg: Algorithm }
}

export interface SampleConnect {
  /** Connect's issuer, e.g. http://127.0.0.1:PORT (what QUILT_CONNECT_URL names). */
  url: string
  /** Connect's one MCP resource, the `aud` of its tokens. */
  audience: string
  /** Requests served per document, so tests can count refetches. */
  fetches: { metadata: number, jwks: number }
  /** Fault injection: answer the documents with this status, or never answer them. */
  fault: { status: number } | { hang: true } | null
  /** An access token as Connect would issue it to an MCP host, for the user `sub`. */
  mint: (sub: string, options?: MintOptions) => Promise<string>
  /** Publishes a new signing key (a key rotation); tokens it signs carry a kid the gateway has not seen. */
  rotate: (alg?: Algorithm) => Promise<string>
  /** A key Connect never publishes, to forge tokens with. */
  foreignKey: (alg?: Algorithm) => Promise<{ kid: string, privateKey: CryptoKey, alg: Algorithm }>
  /**
   * What the registry does with a Connect token (the `sessionTokens` option of the sample registry):
   * a token this Connect issued, unexpired, acts as its user's catalog token.
   */
  registryBearers: (catalogTokenOfUser: Record<string, string>) => (bearer: string) => string | undefined
  close: () => Promise<void>
}

async function newKey (alg: Algorithm): Promise<SigningKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg)
  const kid = randomUUID()
  return { kid, alg, privateKey, jwk: { ...await exportJWK(publicKey), kid, alg, use: 'sig' } }
}

/**
 * A stand-in for Quilt Connect (platform ≥ 1.68), the stack's OAuth server for MCP hosts: RFC 8414
 * metadata at `/.well-known/oauth-authorization-server`, its keys at `/auth/.well-known/jwks.json`,
 * RS256 and ES256 access tokens with `aud` = `<origin>/mcp/platform`. Sign-in itself (DCR, consent)
 * is Connect's and not emulated: tests and the demo mint tokens directly.
 */
export async function startSampleConnect (options: { port?: number, host?: string } = {}): Promise<SampleConnect> {
  const keys: SigningKey[] = [await newKey('RS256'), await newKey('ES256')]
  const issued = new Map<string, { sub: string, exp: number }>()
  const fetches = { metadata: 0, jwks: 0 }
  let url = ''
  const state: { fault: SampleConnect['fault'] } = { fault: null }

  function send (res: ServerResponse, status: number, body: unknown) {
    const text = JSON.stringify(body)
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
    res.end(text)
  }

  function answer (req: IncomingMessage, res: ServerResponse) {
    const { pathname } = new URL(req.url ?? '/', 'http://connect')
    const document = pathname === '/.well-known/oauth-authorization-server' ? 'metadata' : pathname === '/auth/.well-known/jwks.json' ? 'jwks' : undefined
    if (document === undefined) return send(res, 404, { error: 'not_found' })
    fetches[document]++
    const fault = state.fault
    if (fault !== null) {
      if ('hang' in fault) return
      return send(res, fault.status, { error: 'unavailable' })
    }
    if (document === 'jwks') return send(res, 200, { keys: keys.map((key) => key.jwk) })
    send(res, 200, {
      issuer: url,
      authorization_endpoint: `${url}/connect/authorize`,
      token_endpoint: `${url}/auth/token`,
      registration_endpoint: `${url}/auth/register`,
      revocation_endpoint: `${url}/auth/revoke`,
      jwks_uri: `${url}/auth/.well-known/jwks.json`,
      response_types_supported: ['code'],
      grant_types_supported: ['authorization_code', 'refresh_token'],
      code_challenge_methods_supported: ['S256'],
      token_endpoint_auth_methods_supported: ['none']
    })
  }

  const server = createServer(answer)
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve))
  const { address, port } = server.address() as AddressInfo
  url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`
  const audience = `${url}/mcp/platform`

  async function sign (claims: Record<string, unknown>, signer: { kid: string, privateKey: CryptoKey, alg: Algorithm }): Promise<string> {
    const defined = Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined))
    return new SignJWT(defined).setProtectedHeader({ alg: signer.alg, kid: signer.kid, typ: 'at+jwt' }).sign(signer.privateKey)
  }

  return {
    url,
    audience,
    fetches,
    get fault () { return state.fault },
    set fault (value) { state.fault = value },
    async mint (sub, mintOptions = {}) {
      const now = Math.floor(Date.now() / 1000)
      const exp = now + (mintOptions.expiresIn ?? 3600)
      const alg = mintOptions.alg ?? 'RS256'
      const signer = mintOptions.foreignKey ?? keys.filter((key) => key.alg === alg).at(-1)!
      const token = await sign({ iss: url, sub, aud: audience, iat: now, exp, jti: randomUUID(), client_id: 'sample-mcp-host', scope: 'mcp', ...mintOptions.claims }, signer)
      issued.set(token, { sub, exp })
      return token
    },
    async rotate (alg = 'RS256') {
      const key = await newKey(alg)
      keys.push(key)
      return key.kid
    },
    async foreignKey (alg = 'RS256') {
      const { kid, privateKey } = await newKey(alg)
      return { kid, privateKey, alg }
    },
    registryBearers: (catalogTokenOfUser) => (bearer) => {
      const token = issued.get(bearer)
      if (token === undefined || token.exp <= Date.now() / 1000) return undefined
      return Object.hasOwn(catalogTokenOfUser, token.sub) ? catalogTokenOfUser[token.sub] : undefined
    },
    close: () => new Promise<void>((resolve, reject) => {
      server.close((err) => (err ? reject(err) : resolve()))
      server.closeAllConnections()
    })
  }
}
