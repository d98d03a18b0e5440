import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'
import t from 'tap'
import { serializeAnswers, serializeOnce } from '../../src/mcp/messages.js'
import { startGateway } from '../helpers/app.js'
import { rpc } from '../helpers/mcp-client.js'
import { signToken } from '../helpers/tokens.js'

t.test('a result serialized once is answered as JSON.stringify would answer it, with each request its own id', async (t) => {
  const result = serializeOnce({ tools: [{ name: 'café', description: 'naïve "quoted" \u2028 text' }] })
  const answers: JSONRPCMessage[] = [{ jsonrpc: '2.0', id: 'a"b', result }, { jsonrpc: '2.0', id: 7, result }]
  const { parts, oversized } = serializeAnswers(answers, true, 1_000_000)
  t.same(JSON.parse(Buffer.concat(parts).toString()), answers)
  t.same(oversized, [])
})

t.test('the response bound counts a result serialized once in bytes, not characters', async (t) => {
  const result = serializeOnce({ text: 'é'.repeat(100) })
  const answer: JSONRPCMessage = { jsonrpc: '2.0', id: 1, result }
  const exact = Buffer.byteLength(JSON.stringify(answer))
  t.same(serializeAnswers([answer], false, exact).oversized, [], 'fits at exactly its size in bytes')
  const refused = serializeAnswers([answer], false, exact - 1)
  t.same(refused.oversized, [{ id: 1, bytes: exact }])
  t.match(JSON.parse(Buffer.concat(refused.parts).toString()), { id: 1, error: { data: { reason: 'response_too_large' } } })
})

t.test('tools/list through the gateway: every request gets the same list under its own id', async (t) => {
  const { url } = await startGateway(t)
  const auth = { authorization: `Bearer ${signToken()}` }
  const first = await (await rpc(url, { jsonrpc: '2.0', id: 'first', method: 'tools/list' }, auth)).json() as { id: string, result: { tools: Array<{ name: string }> } }
  const second = await (await rpc(url, { jsonrpc: '2.0', id: 2, method: 'tools/list' }, auth)).json() as { id: number, result: unknown }
  t.equal(first.id, 'first')
  t.equal(second.id, 2)
  t.ok(first.result.tools.some((tool) => tool.name === 'auth_status'))
  t.same(second.result, first.result)
})
