import { LRUCache } from 'lru-cache'
import { z } from 'zod'
import { isLoopbackHost } from '../registry-address.js'
import { ClientMetadataFetchError, type ClientMetadataFetch } from './client-metadata-fetch.js'
import { OAuthError } from './oauth-error.js'
import type { Sealer } from './sealing.js'

/** A client as the sign-in server knows it: from its sealed registration (DCR) or its metadata document (CIMD). */
export interface Client {
  clientId: string
  name?: string
  redirectUris: string[]
}

/** Registrations never expire on their own; rotating the stack's secret ends them (and every sign-in). */
const REGISTRATION_LIFETIME_SECONDS = 10 * 365 * 24 * 3600
const MAX_REDIRECT_URIS = 10

/**
 * Where a code may be sent: https anywhere, plain http only to loopback (RFC 8252 §7.3: native apps
 * listen there), or a native app's private-use scheme (`cursor://`, `vscode://`); never a fragment,
 * credentials, or a scheme a browser would run (javascript:, data:, file:).
 */
function redirectUriProblem (value: string): string | undefined {
  if (!URL.canParse(value)) return 'is not a URL'
  const url = new URL(value)
  if (url.hash !== '' || value.includes('#')) return 'must not have a fragment'
  if (url.username !== '' || url.password !== '') return 'must not carry credentials'
  if (url.protocol === 'https:') return undefined
  if (url.protocol === 'http:') return isLoopbackHost(url.hostname) ? undefined : 'must be https (plain http only to a loopback address: 127.0.0.1, [::1] or localhost)'
  if (/^(javascript|data|file|blob|vbscript|about|ws|wss|ftp):$/i.test(url.protocol)) return 'uses a scheme that is not allowed'
  return undefined
}

const RedirectUri = z.string().max(2000).superRefine((value, ctx) => {
  const problem = redirectUriProblem(value)
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: `redirect_uri ${JSON.stringify(value.slice(0, 200))} ${problem}` })
})

/** RFC 7591 request: the fields the server uses; others are ignored (and not echoed). */
const RegistrationSchema = z.object({
  redirect_uris: z.array(RedirectUri, { error: 'redirect_uris must be a list of URLs' }).min(1, 'redirect_uris must name at least one URL').max(MAX_REDIRECT_URIS),
  client_name: z.string().max(200).optional(),
  token_endpoint_auth_method: z.string().optional(),
  grant_types: z.array(z.string()).optional(),
  response_types: z.array(z.string()).optional()
})

const SealedClientSchema = z.object({ n: z.string().optional(), r: z.array(z.string()).min(1) })

const DocumentSchema = z.object({
  client_id: z.string(),
  client_name: z.string().max(200).optional(),
  redirect_uris: z.array(RedirectUri).min(1).max(MAX_REDIRECT_URIS)
})

function firstIssue (error: z.ZodError): string {
  const issue = error.issues[0]
  return issue === undefined ? 'invalid' : `${issue.path.length > 0 && !issue.message.startsWith(String(issue.path[0])) ? `${issue.path.join('.')}: ` : ''}${issue.message}`
}

/** DCR (RFC 7591): public clients only; the answer is the registration, sealed into its client_id. */
export async function register (sealer: Sealer, body: unknown): Promise<Record<string, unknown>> {
  const parsed = RegistrationSchema.safeParse(body)
  if (!parsed.success) {
    const redirect = parsed.error.issues.some((issue) => issue.path[0] === 'redirect_uris')
    throw new OAuthError(redirect ? 'invalid_redirect_uri' : 'invalid_client_metadata', firstIssue(parsed.error))
  }
  const { redirect_uris: redirectUris, client_name: name, grant_types: grants, response_types: responses } = parsed.data
  if (grants !== undefined && grants.some((grant) => grant !== 'authorization_code' && grant !== 'refresh_token')) {
    throw new OAuthError('invalid_client_metadata', 'grant_types may hold only authorization_code and refresh_token')
  }
  if (responses !== undefined && responses.some((type) => type !== 'code')) throw new OAuthError('invalid_client_metadata', 'response_types may hold only code')
  const clientId = await sealer.seal('client', { r: redirectUris, ...(name !== undefined ? { n: name } : {}) }, REGISTRATION_LIFETIME_SECONDS)
  // No null fields: several hosts reject a registration answer with `"client_name": null`.
  return {
    client_id: clientId,
    client_id_issued_at: Math.floor(Date.now() / 1000),
    redirect_uris: redirectUris,
    ...(name !== undefined ? { client_name: name } : {}),
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    scope: 'quilt:read quilt:write'
  }
}

/** CIMD: a client_id that is an https URL with a path names its own metadata document. */
const isMetadataUrl = (clientId: string) => clientId.startsWith('https://') && URL.canParse(clientId) && new URL(clientId).pathname !== '/'

/** Resolves client_ids; metadata documents are cached briefly so each sign-in does not refetch them. */
export class Clients {
  readonly #fetch: ClientMetadataFetch
  readonly #documents = new LRUCache<string, Client>({ max: 1000, ttl: 5 * 60_000 })

  constructor (fetch: ClientMetadataFetch) {
    this.#fetch = fetch
  }

  async find (sealer: Sealer, clientId: string): Promise<Client> {
    if (clientId.length > 8192) throw new OAuthError('invalid_client', 'Unknown client_id.')
    if (isMetadataUrl(clientId)) return await this.#document(clientId)
    const sealed = SealedClientSchema.safeParse(await sealer.open('client', clientId))
    if (!sealed.success) throw new OAuthError('invalid_client', 'Unknown client_id: register the client again (a registration ends when the stack\'s secret is rotated).')
    return { clientId, name: sealed.data.n, redirectUris: sealed.data.r }
  }

  async #document (clientId: string): Promise<Client> {
    const cached = this.#documents.get(clientId)
    if (cached !== undefined) return cached
    let document: unknown
    try {
      document = await this.#fetch(new URL(clientId))
    } catch (err) {
      const why = err instanceof ClientMetadataFetchError ? err.message : 'it could not be fetched'
      throw new OAuthError('invalid_client', `The client metadata document ${clientId} cannot be used: ${why}.`)
    }
    const parsed = DocumentSchema.safeParse(document)
    if (!parsed.success) throw new OAuthError('invalid_client', `The client metadata document ${clientId} is not valid: ${firstIssue(parsed.error)}.`)
    if (parsed.data.client_id !== clientId) throw new OAuthError('invalid_client', `The client metadata document ${clientId} names another client_id.`)
    const client = { clientId, name: parsed.data.client_name, redirectUris: parsed.data.redirect_uris }
    this.#documents.set(clientId, client)
    return client
  }
}

/** RFC 8252 §7.3: a loopback redirect matches on any port; every other redirect exactly. */
export function redirectAllowed (client: Client, redirectUri: string): boolean {
  if (client.redirectUris.includes(redirectUri)) return true
  if (!URL.canParse(redirectUri)) return false
  const asked = new URL(redirectUri)
  if (asked.protocol !== 'http:' || !isLoopbackHost(asked.hostname)) return false
  return client.redirectUris.some((registered) => {
    const url = new URL(registered)
    return url.protocol === 'http:' && url.hostname === asked.hostname && url.pathname === asked.pathname && url.search === asked.search
  })
}
