import type { AuthInfo } from '@modelcontextprotocol/sdk/server/auth/types.js'
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js'
import {
  ErrorCode, isJSONRPCErrorResponse, isJSONRPCRequest, isJSONRPCResultResponse, type JSONRPCMessage, type RequestId
} from '@modelcontextprotocol/sdk/types.js'

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
  readonly #waiting = new Map<RequestId, (message: JSONRPCMessage) => void>()

  async start (): Promise<void> {}

  async send (message: JSONRPCMessage): Promise<void> {
    // Only responses are delivered; server-initiated notifications (progress, logging) have no
    // channel in a stateless JSON exchange and are dropped, as the SDK transport does in JSON mode.
    if ((isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) && message.id !== undefined) {
      this.#waiting.get(message.id)?.(message)
      this.#waiting.delete(message.id)
    }
  }

  /** Closing aborts in-flight handlers (the SDK then sends nothing), so their answers are settled here. */
  async close (): Promise<void> {
    for (const [id, resolve] of this.#waiting) {
      resolve({ jsonrpc: '2.0', id, error: { code: ErrorCode.RequestTimeout, message: 'Request cancelled: the connection closed' } })
    }
    this.#waiting.clear()
    this.onclose?.()
  }

  /** Delivers the messages and resolves with one answer per request, in request order. */
  exchange (messages: JSONRPCMessage[], authInfo: AuthInfo): Promise<JSONRPCMessage[]> {
    const answers: Array<Promise<JSONRPCMessage>> = []
    for (const message of messages) {
      if (isJSONRPCRequest(message)) {
        answers.push(new Promise((resolve) => this.#waiting.set(message.id, resolve)))
      }
    }
    for (const message of messages) this.onmessage?.(message, { authInfo })
    return Promise.all(answers)
  }
}
