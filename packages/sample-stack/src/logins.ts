import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'

interface Session { tenantToken: string, expiresAt: number }
interface TokenAnswer { access_token: string, refresh_token: string, expires_at: number }

const random = (prefix: string) => `${prefix}${randomBytes(24).toString('base64url')}`

/**
 * quilt3's sign-in as the real registry serves it: the catalog's /code page shows a one-time code;
 * `POST /api/token` with form `refresh_token=<code or refresh token>` answers `{access_token,
 * refresh_token, expires_at}` (the same call refreshes), or `{error}`. Codes expire (10 minutes, as the
 * open-source registry had them) and are single-use; sessions expire; a refresh token is spent by its
 * use (the answer carries the next one). Sessions act as their user's catalog token.
 */
export class SampleLogins {
  codeLifetimeSeconds = 600
  sessionLifetimeSeconds = 3600
  /** Every `POST /api/token` received, answered or refused. */
  exchanges = 0
  readonly #codes = new Map<string, Session>()
  readonly #refreshTokens = new Map<string, string>()
  readonly #sessions = new Map<string, Session>()

  /** A one-time login code for the user whose catalog token is given (what the catalog's /code page shows). */
  issueCode (tenantToken: string): string {
    const code = random('')
    this.#codes.set(code, { tenantToken, expiresAt: Date.now() / 1000 + this.codeLifetimeSeconds })
    return code
  }

  /** The catalog token of a live session's user, or undefined. */
  tenantFor (accessToken: string): string | undefined {
    const session = this.#sessions.get(accessToken)
    return session !== undefined && session.expiresAt > Date.now() / 1000 ? session.tenantToken : undefined
  }

  /** Ends every session now (as their expiry would); refresh tokens still renew them. */
  expireSessions (): void {
    for (const session of this.#sessions.values()) session.expiresAt = 0
  }

  #open (tenantToken: string): TokenAnswer {
    const accessToken = random('sess_')
    const refreshToken = random('rt_')
    const expiresAt = Math.floor(Date.now() / 1000) + this.sessionLifetimeSeconds
    this.#sessions.set(accessToken, { tenantToken, expiresAt })
    this.#refreshTokens.set(refreshToken, tenantToken)
    return { access_token: accessToken, refresh_token: refreshToken, expires_at: expiresAt }
  }

  #redeem (presented: string): TokenAnswer | undefined {
    const code = this.#codes.get(presented)
    if (code !== undefined) {
      this.#codes.delete(presented)
      return code.expiresAt > Date.now() / 1000 ? this.#open(code.tenantToken) : undefined
    }
    const tenantToken = this.#refreshTokens.get(presented)
    if (tenantToken === undefined) return undefined
    this.#refreshTokens.delete(presented)
    return this.#open(tenantToken)
  }

  /** Answers `POST /api/token`. */
  async answer (req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.exchanges++
    let body = ''
    for await (const chunk of req as AsyncIterable<Buffer>) {
      body += chunk.toString('utf8')
      if (body.length > 16_384) break
    }
    const presented = new URLSearchParams(body).get('refresh_token') ?? ''
    const answer = req.method === 'POST' ? this.#redeem(presented) : undefined
    const text = JSON.stringify(answer ?? { error: 'Invalid or expired code or refresh token.' })
    res.writeHead(answer === undefined ? 401 : 200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) })
    res.end(text)
  }

  /** The catalog's /code page, for one user (the sample has no catalog sign-in): a fresh code on each visit. */
  codePage (res: ServerResponse, tenantToken: string): void {
    const code = this.issueCode(tenantToken)
    const text = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Login code</title></head><body>
<h1>Your one-time login code</h1><p>Paste it where you were asked for it. It works once, for ${Math.round(this.codeLifetimeSeconds / 60)} minutes.</p>
<pre id="code">${code}</pre></body></html>`
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) })
    res.end(text)
  }
}
