import { randomUUID } from 'node:crypto'
import { request } from 'node:http'

// The Quilt catalog's own MCP client, as its wire looks (quiltdata/quilt, catalog/app/components/
// Assistant/Model/Connectors/Mcp.ts): every call an independent POST with the session token as bearer,
// `Accept: application/json, text/event-stream`, `MCP-Protocol-Version: 2025-06-18`, uuid v4 string
// ids that the answer must echo, the answer read by its content type (JSON, or the first SSE event
// with `data:` lines, CRLF or LF), 202 for notifications, and 401/403 taken as "sign in again".

const CATALOG_PROTOCOL_VERSION = '2025-06-18'
const CLIENT_INFO = { name: 'quilt-catalog', version: '1' }

export interface CatalogWireOptions {
  /** The MCP URL, e.g. `${nginx}/mcp/platform/mcp`. */
  url: string
  token: string
  /** Host header to send (the registry host the browser would call); the URL's host when absent. */
  host?: string
  /** The catalog's origin: the browser sends it on every cross-origin call. */
  origin?: string
}

/** What the catalog's client turns into McpAuthError (401/403) or McpTransportError (other non-2xx). */
export class CatalogWireError extends Error {
  constructor (readonly status: number, readonly contentType: string, readonly body: string) {
    super(`MCP ${status === 401 || status === 403 ? 'auth' : 'transport'}: HTTP ${status}`)
  }
}

/** Mcp.ts parseSseToJson: the JSON of the first event that has `data:` lines, null when none has. */
function parseSseToJson (text: string): unknown {
  for (const event of text.replace(/\r\n/g, '\n').split('\n\n')) {
    const data = event.split('\n').filter((line) => line.startsWith('data:')).map((line) => line.slice(5).trim())
    if (data.length > 0) return JSON.parse(data.join('\n'))
  }
  return null
}

interface RawAnswer { status: number, contentType: string, body: string }

function post (options: CatalogWireOptions, payload: unknown, accept: string): Promise<RawAnswer> {
  const body = JSON.stringify(payload)
  return new Promise((resolve, reject) => {
    const req = request(options.url, {
      method: 'POST',
      headers: {
        ...(options.host !== undefined ? { host: options.host } : {}),
        ...(options.origin !== undefined ? { origin: options.origin } : {}),
        accept,
        'mcp-protocol-version': CATALOG_PROTOCOL_VERSION,
        'content-type': 'application/json',
        authorization: `Bearer ${options.token}`,
        'content-length': Buffer.byteLength(body)
      }
    }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, contentType: (res.headers['content-type'] ?? '').toLowerCase(), body: Buffer.concat(chunks).toString('utf8') }))
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
}

interface JsonRpcAnswer {
  jsonrpc: '2.0'
  id: string | number
  result?: Record<string, unknown>
  error?: { code: number, message: string, data?: unknown }
}

/** One call of the catalog's client; `accept` is only overridden to exercise the SSE branch. */
async function exchange (options: CatalogWireOptions, payload: Record<string, unknown>, accept = 'application/json, text/event-stream'): Promise<JsonRpcAnswer | null> {
  const answer = await post(options, payload, accept)
  if (answer.status === 202) return null
  if (answer.status < 200 || answer.status >= 300) throw new CatalogWireError(answer.status, answer.contentType, answer.body)
  if (answer.contentType.includes('text/event-stream')) return parseSseToJson(answer.body) as JsonRpcAnswer | null
  if (answer.contentType.includes('application/json')) return JSON.parse(answer.body) as JsonRpcAnswer
  throw new Error(`MCP protocol: unexpected content-type: ${answer.contentType}`)
}

export interface CatalogWireClient {
  /** `initialize`, then `notifications/initialized` (which must be answered 202). */
  initialize: () => Promise<Record<string, unknown>>
  rpc: (method: string, params?: unknown, accept?: string) => Promise<Record<string, unknown>>
  listTools: () => Promise<Array<{ name: string, annotations?: { readOnlyHint?: boolean } }>>
  callTool: (name: string, args: Record<string, unknown>) => Promise<{ content: Array<{ type: string, text?: string }>, isError?: boolean, structuredContent?: unknown }>
}

export function catalogWireClient (options: CatalogWireOptions): CatalogWireClient {
  const rpc = async (method: string, params?: unknown, accept?: string) => {
    const id = randomUUID()
    const answer = await exchange(options, { jsonrpc: '2.0', id, method, params }, accept)
    if (answer === null) throw new Error(`MCP protocol: ${method}: empty response`)
    if (String(answer.id) !== id) throw new Error(`MCP protocol: ${method}: id mismatch (sent ${id}, got ${String(answer.id)})`)
    if (answer.error !== undefined) throw new Error(`MCP rpc ${answer.error.code}: ${answer.error.message}`)
    return answer.result ?? {}
  }
  return {
    rpc,
    initialize: async () => {
      const result = await rpc('initialize', { protocolVersion: CATALOG_PROTOCOL_VERSION, capabilities: {}, clientInfo: CLIENT_INFO })
      const initialized = await exchange(options, { jsonrpc: '2.0', method: 'notifications/initialized' })
      if (initialized !== null) throw new Error('MCP protocol: notifications/initialized was not answered 202')
      return result
    },
    listTools: async () => (await rpc('tools/list')).tools as Array<{ name: string, annotations?: { readOnlyHint?: boolean } }>,
    callTool: async (name, args) => await rpc('tools/call', { name, arguments: args }) as { content: Array<{ type: string, text?: string }>, isError?: boolean }
  }
}
