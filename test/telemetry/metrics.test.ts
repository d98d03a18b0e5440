import t from 'tap'
import { startGateway } from '../helpers/app.js'
import { rpc } from '../helpers/mcp-client.js'
import { signToken } from '../helpers/tokens.js'

t.test('Prometheus metrics count requests, auth failures by reason, tool calls, and the secret age', async (t) => {
  const { url } = await startGateway(t)
  const authorization = `Bearer ${signToken()}`
  await rpc(url, { jsonrpc: '2.0', id: 1, method: 'tools/call', params: { name: 'catalog_url', arguments: { bucket: 'quilt-example' } } }, { authorization })
  await rpc(url, { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'catalog_url', arguments: { bucket: 'quilt-example', path: '../x' } } }, { authorization })
  await rpc(url, { jsonrpc: '2.0', id: 3, method: 'tools/list' })
  await rpc(url, { jsonrpc: '2.0', id: 4, method: 'tools/list' }, { authorization: 'Bearer nope' })
  const res = await fetch(`${url}/metrics`)
  t.equal(res.status, 200)
  t.match(res.headers.get('content-type'), /^text\/plain/)
  const text = await res.text()
  t.match(text, /mcp_gateway_http_requests_total\{route="\/mcp",method="POST",status="200"\} 2/)
  t.match(text, /mcp_gateway_http_requests_total\{route="\/mcp",method="POST",status="401"\} 2/)
  t.match(text, /mcp_gateway_auth_failures_total\{reason="missing_token"\} 1/)
  t.match(text, /mcp_gateway_auth_failures_total\{reason="malformed_token"\} 1/)
  t.match(text, /mcp_gateway_tool_calls_total\{tool="catalog_url",outcome="ok"\} 1/)
  t.match(text, /mcp_gateway_tool_calls_total\{tool="catalog_url",outcome="error"\} 1/)
  t.match(text, /mcp_gateway_jwt_secret_age_seconds \d/)
  t.match(text, /mcp_gateway_process_resident_memory_bytes \d/)
})
