import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http'
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https'
import { injectTraceHeaders } from '../telemetry/spans.js'

/** Registry answers larger than this are refused rather than buffered (a runaway or hostile registry). */
export const MAX_RESPONSE_BYTES = 32 * 1024 * 1024

// One pool per scheme for the whole process: every tenant's client reuses warm connections to its
// registry (a TLS handshake per tool call would dominate its latency).
const agentOptions = { keepAlive: true, maxSockets: 128, maxFreeSockets: 32, scheduling: 'lifo' as const }
const agents = { 'http:': new HttpAgent(agentOptions), 'https:': new HttpsAgent(agentOptions) }

/** The part of the fetch Response that graphql-request reads. */
class BufferedResponse {
  readonly ok: boolean
  readonly status: number
  readonly headers: Headers
  readonly #body: string

  constructor (status: number, headers: Headers, body: string) {
    this.ok = status >= 200 && status < 300
    this.status = status
    this.headers = headers
    this.#body = body
  }

  async text (): Promise<string> {
    return this.#body
  }
}

function toHeaders (message: IncomingMessage): Headers {
  const headers = new Headers()
  for (const [name, value] of Object.entries(message.headers)) {
    if (typeof value === 'string') headers.set(name, value)
  }
  return headers
}

/**
 * A fetch for graphql-request over node:http with keep-alive agents. Node 20's global fetch (undici
 * with WHATWG streams) took about a third of a tool call's CPU in the benchmark; this keeps the same
 * semantics for what graphql-request uses: POST with headers and a string body, abort signal, text().
 */
export async function keepAliveFetch (input: URL | string | Request, init: RequestInit = {}): Promise<Response> {
  const url = new URL(input instanceof Request ? input.url : input)
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest
  const agent = url.protocol === 'https:' ? agents['https:'] : agents['http:']
  const headers: Record<string, string> = {}
  new Headers(init.headers).forEach((value, name) => { headers[name] = value })
  injectTraceHeaders(headers)
  const body = typeof init.body === 'string' ? init.body : undefined
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body))

  const response = await new Promise<BufferedResponse>((resolve, reject) => {
    const req = send(url, { method: init.method ?? 'GET', headers, agent, signal: init.signal ?? undefined }, (res) => {
      const chunks: Buffer[] = []
      let size = 0
      res.on('data', (chunk: Buffer) => {
        size += chunk.length
        if (size > MAX_RESPONSE_BYTES) {
          req.destroy(new Error(`registry response larger than ${MAX_RESPONSE_BYTES} bytes`))
          return
        }
        chunks.push(chunk)
      })
      res.on('end', () => { resolve(new BufferedResponse(res.statusCode ?? 0, toHeaders(res), Buffer.concat(chunks).toString('utf8'))) })
      res.on('error', reject)
    })
    req.on('error', reject)
    req.end(body)
  })
  // graphql-request only touches ok, status, headers and text(); see the class above.
  return response as unknown as Response
}
