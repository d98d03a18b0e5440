import { isJSONRPCRequest, type JSONRPCMessage, type RequestId } from '@modelcontextprotocol/sdk/types.js'
import { z } from 'zod'
import { GATEWAY_ERROR_CODE, GatewayError } from '../http/errors.js'

/** MCP 2025-06-18 removed JSON-RPC batches; a client that negotiated it or a later version sends none. */
const FIRST_VERSION_WITHOUT_BATCHES = '2025-06-18'

/**
 * The JSON-RPC envelope: a request or notification (method), or a response (id with result or error).
 * Only the envelope is checked here; the SDK validates each method's params with its own schemas, so
 * the SDK's full message union, a large zod union, is not also run on every request.
 */
const EnvelopeSchema = z.looseObject({
  jsonrpc: z.literal('2.0'),
  id: z.union([z.string(), z.int()]).optional(),
  method: z.string().min(1).optional(),
  params: z.looseObject({}).optional()
}).refine((message) => message.method !== undefined || (message.id !== undefined && ('result' in message || 'error' in message)))

/** How many JSON-RPC messages a body holds (a batch is an array), before anything else is read from it. */
export function messageCount (body: unknown): number {
  return Array.isArray(body) ? body.length : 1
}

/**
 * The POSTed body as JSON-RPC messages; a batch (array) is answered with an array. Batches are
 * refused whole, before any message runs, when they are too long or the client's protocol version
 * (MCP-Protocol-Version; dates compare as strings) no longer has them.
 */
export function parseMessages (body: unknown, rules: { maxBatchMessages: number, protocolVersion?: string }): { messages: JSONRPCMessage[], batch: boolean } {
  const batch = Array.isArray(body)
  const items: unknown[] = batch ? body : [body]
  if (batch && rules.protocolVersion !== undefined && rules.protocolVersion >= FIRST_VERSION_WITHOUT_BATCHES) {
    throw new GatewayError('batch_not_supported', { message: `JSON-RPC batches are not part of MCP ${rules.protocolVersion} (removed in ${FIRST_VERSION_WITHOUT_BATCHES}); send one message per request.` })
  }
  if (items.length > rules.maxBatchMessages) {
    throw new GatewayError('batch_too_large', { message: `A batch may hold at most ${rules.maxBatchMessages} messages (this one has ${items.length}); send the rest in further requests.` })
  }
  const messages: JSONRPCMessage[] = []
  for (const item of items) {
    const parsed = EnvelopeSchema.safeParse(item)
    if (!parsed.success) throw new GatewayError('invalid_request')
    messages.push(parsed.data as JSONRPCMessage)
  }
  const ids = messages.filter(isJSONRPCRequest).map((message) => message.id)
  if (messages.length === 0 || new Set(ids).size !== ids.length) {
    throw new GatewayError('invalid_request', { message: 'A batch must be non-empty and its request ids unique.' })
  }
  return { messages, batch }
}

export interface SerializedAnswers {
  /**
   * The response body as bytes, in pieces the caller joins once (with its framing, if any): a result
   * serialized once is copied, not re-encoded. Sent as text, a tools/list answer (tens of kB) was
   * flattened and encoded anew by every response, about a fifth of that call's CPU in garbage collection.
   */
  parts: Buffer[]
  /** Answers replaced by an error because they did not fit in the response bound. */
  oversized: Array<{ id: RequestId | undefined, bytes: number }>
}

/** Results that are the same object on every request (tools/list), with their JSON as UTF-8 bytes. */
const serializedOnce = new WeakMap<object, Buffer>()
const RESULT_END = Buffer.from('}')
const BATCH_START = Buffer.from('[')
const BATCH_SEPARATOR = Buffer.from(',')
const BATCH_END = Buffer.from(']')

/**
 * Marks `result` as never changing again, so every answer that carries it reuses one JSON text instead
 * of serializing and measuring it anew (tools/list: tens of kB, most of the call's CPU otherwise).
 */
export function serializeOnce<T extends object> (result: T): T {
  serializedOnce.set(result, Buffer.from(JSON.stringify(result)))
  return result
}

/** One answer's bytes: the envelope around a result serialized once, or the whole answer serialized now. */
function answerBytes (answer: JSONRPCMessage): Buffer[] {
  const fixed = 'result' in answer ? serializedOnce.get(answer.result) : undefined
  if (fixed === undefined) return [Buffer.from(JSON.stringify(answer))]
  return [Buffer.from(`{"jsonrpc":"2.0","id":${JSON.stringify('id' in answer ? answer.id : null)},"result":`), fixed, RESULT_END]
}

/**
 * The answers as one JSON body, at most `maxBytes` of answers in all: an answer that does not fit is
 * replaced by an error for that request alone, so one huge result cannot become a huge response.
 * Serializing here rather than in reply.send() keeps it to one JSON.stringify per answer.
 */
export function serializeAnswers (answers: JSONRPCMessage[], batch: boolean, maxBytes: number): SerializedAnswers {
  const parts: Buffer[] = batch ? [BATCH_START] : []
  const oversized: SerializedAnswers['oversized'] = []
  let budget = maxBytes
  for (const [index, answer] of answers.entries()) {
    let answerParts = answerBytes(answer)
    const bytes = answerParts.reduce((sum, part) => sum + part.length, 0)
    if (bytes > budget) {
      const id = 'id' in answer ? answer.id : undefined
      oversized.push({ id, bytes })
      answerParts = [Buffer.from(JSON.stringify({
        jsonrpc: '2.0',
        id: id ?? null,
        error: {
          code: GATEWAY_ERROR_CODE,
          message: `The answer (${bytes} bytes) exceeds the gateway's response limit of ${maxBytes} bytes; ask for less (a narrower path, a smaller page or limit).`,
          data: { reason: 'response_too_large' }
        }
      }))]
    } else {
      budget -= bytes
    }
    if (batch && index > 0) parts.push(BATCH_SEPARATOR)
    parts.push(...answerParts)
  }
  if (batch) parts.push(BATCH_END)
  return { parts, oversized }
}
