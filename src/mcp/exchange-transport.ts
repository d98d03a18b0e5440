import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js'
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import {
  isJSONRPCErrorResponse, isJSONRPCRequest, isJSONRPCResultResponse, type JSONRPCMessage, type RequestId
} from '@modelcontextprotocol/sdk/types.js'
import { GATEWAY_ERROR_CODE } from '../http/errors.js'

interface Waiting {
  method: string
  resolve: (message: JSONRPCMessage) => void
}

/** The exchange did not finish in time; `pending` names the methods still unanswered. */
export class ExchangeDeadlineError extends Error {
  name = 'ExchangeDeadlineError'
  readonly pending: string[]

  constructor (deadlineMs: number, pending: string[]) {
    super(`MCP exchange not finished within ${deadlineMs} ms`)
    this.pending = pending
  }
}

/** The request id a `notifications/cancelled` message names, if the message is one. */
function cancelledRequestId (message: JSONRPCMessage): RequestId | undefined {
  if (!('method' in message) || message.method !== 'notifications/cancelled' || 'id' in message) return undefined
  const requestId = message.params?.requestId
  return typeof requestId === 'string' || typeof requestId === 'number' ? requestId : undefined
}

function errorAnswer (id: RequestId, message: string, reason: string): JSONRPCMessage {
  return { jsonrpc: '2.0', id, error: { code: GATEWAY_ERROR_CODE, message, data: { reason } } }
}

/**
 * An SDK Transport for one HTTP exchange: the POSTed messages go in, the answers to its requests come
 * out, and the transport is discarded with its server. This is what the SDK's stateless
 * StreamableHTTPServerTransport does for JSON responses, minus converting Node's request into a
 * WHATWG Request and back, which cost more than the whole tool call (see bench/).
 */
export class ExchangeTransport implements Transport {
  onclose?: () => void
  onerror?: (error: Error) => void
  onmessage?: Transport['onmessage']
  readonly #waiting = new Map<RequestId, Waiting>()

  async start (): Promise<void> {}

  async send (message: JSONRPCMessage): Promise<void> {
    // Only responses are delivered; server-initiated notifications (progress, logging) have no
    // channel in a stateless JSON exchange and are dropped, as the SDK transport does in JSON mode.
    if ((isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) && message.id !== undefined) {
      this.#settle(message.id, message)
    }
  }

  /** Closing aborts in-flight handlers (the SDK then sends nothing), so their answers are settled here. */
  async close (): Promise<void> {
    this.#abort('Request cancelled: the connection closed', 'connection_closed')
  }

  /**
   * Delivers the messages and resolves with one answer per request, in request order, or rejects with
   * ExchangeDeadlineError after `deadlineMs` (the unfinished handlers are aborted).
   */
  exchange (messages: JSONRPCMessage[], authInfo: AuthInfo, deadlineMs: number): Promise<JSONRPCMessage[]> {
    const answers: Array<Promise<JSONRPCMessage>> = []
    for (const message of messages) {
      if (isJSONRPCRequest(message)) {
        answers.push(new Promise((resolve) => this.#waiting.set(message.id, { method: message.method, resolve })))
      }
    }
    for (const message of messages) {
      // A request its own batch cancelled before it was delivered is not started at all.
      if (isJSONRPCRequest(message) && !this.#waiting.has(message.id)) continue
      // The SDK aborts a cancelled handler and then sends nothing, as the protocol says; but an HTTP
      // exchange is only complete once every request in it has an answer, so the gateway gives one.
      const cancelled = cancelledRequestId(message)
      if (cancelled !== undefined) this.#settle(cancelled, errorAnswer(cancelled, 'Request cancelled by the client (notifications/cancelled).', 'cancelled'))
      this.onmessage?.(message, { authInfo })
    }
    if (answers.length === 0) return Promise.resolve([])
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        const pending = [...this.#waiting.values()].map((waiting) => waiting.method)
        this.#abort(`Request not finished within the gateway's deadline of ${deadlineMs} ms.`, 'handler_timeout')
        reject(new ExchangeDeadlineError(deadlineMs, pending))
      }, deadlineMs)
      Promise.all(answers).then((all) => {
        clearTimeout(timer)
        resolve(all)
      }, reject)
    })
  }

  #settle (id: RequestId, answer: JSONRPCMessage): void {
    const waiting = this.#waiting.get(id)
    if (waiting === undefined) return
    this.#waiting.delete(id)
    waiting.resolve(answer)
  }

  /** Answers every unanswered request with an error and aborts their handlers. */
  #abort (message: string, reason: string): void {
    for (const id of [...this.#waiting.keys()]) this.#settle(id, errorAnswer(id, message, reason))
    this.onclose?.()
  }
}
