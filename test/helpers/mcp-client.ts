import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { Test } from 'tap'

/** The official SDK client over Streamable HTTP with a bearer token, as MCP hosts connect. */
export async function connectClient (t: Test, gatewayUrl: string, token: string): Promise<Client> {
  const client = new Client({ name: 'gateway-test', version: '1.0.0' })
  const transport = new StreamableHTTPClientTransport(new URL(`${gatewayUrl}/mcp`), {
    requestInit: { headers: { authorization: `Bearer ${token}` } }
  })
  await client.connect(transport)
  t.teardown(() => client.close())
  return client
}

/** A plain JSON-RPC POST, as curl or the catalog's browser code sends it. */
export async function rpc (gatewayUrl: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${gatewayUrl}/mcp`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body)
  })
}
