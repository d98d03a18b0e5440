import { STATUS_CODES, type IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'
import type { FastifyInstance } from 'fastify'
import { errorBody, HTTP_ERRORS, type ErrorReason } from './errors.js'

/**
 * Refusing a request without resetting its connection. When a server closes a socket that still has
 * unread input, the kernel answers with a TCP reset, and a reset makes the client's kernel discard what
 * it had received but not yet read: the client sees ECONNRESET/EPIPE instead of our 413 or 431. So the
 * rest of what the client is sending is read and thrown away before closing, within these bounds (past
 * them the client is not a confused one but a hostile one, and is cut off).
 */
export const DRAIN_MAX_BYTES = 64 * 1024 * 1024
const DRAIN_MAX_MS = 10_000
const DRAIN_CHECK_MS = 100

/** Calls `onExceeded` if the socket reads more than DRAIN_MAX_BYTES or lives longer than DRAIN_MAX_MS; returns a cancel function. */
function watchDrain (socket: Socket, onExceeded: () => void): () => void {
  const startBytes = socket.bytesRead
  const deadline = Date.now() + DRAIN_MAX_MS
  // socket.bytesRead also counts input Node's HTTP parser consumes natively, which emits no 'data' events.
  const timer = setInterval(() => {
    if (socket.bytesRead - startBytes > DRAIN_MAX_BYTES || Date.now() > deadline) {
      cancel()
      onExceeded()
    }
  }, DRAIN_CHECK_MS).unref()
  const cancel = () => {
    clearInterval(timer)
    socket.off('close', cancel)
  }
  socket.once('close', cancel)
  return cancel
}

/**
 * For an error reply sent before the request body was read (a refusal in onRequest/preParsing, or
 * Fastify's 413): Node discards the rest of the body and the connection can be reused; for the 413 that
 * needs Fastify's "Connection: close" removed, which would otherwise close on the unread bytes. A body
 * that goes on past the bounds gets the socket destroyed.
 */
export function drainUnreadBody (request: IncomingMessage, removeConnectionHeader: () => void): void {
  if (request.complete) return
  removeConnectionHeader()
  const cancel = watchDrain(request.socket, () => { request.socket.destroy() })
  request.once('end', cancel)
}

/** Ends our side after the answer is flushed, reads whatever still arrives, and closes when the client does or the bounds run out. */
function lingeringClose (socket: Socket): void {
  socket.end()
  socket.resume()
  watchDrain(socket, () => { socket.destroy() })
}

/** Parser failures Node reports before Fastify sees a request, with the reason each is answered with. */
function reasonForClientError (code: string | undefined): ErrorReason {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW': return 'headers_too_large'
    case 'ERR_HTTP_REQUEST_TIMEOUT': return 'request_timeout'
    default: return 'bad_request'
  }
}

// Node's parser stays in its error state, so each further chunk we drain reports the same error again.
const answered = new WeakSet<Socket>()

/** A response Node is writing on this socket (pipelined requests); its private field is what Node's own handler checks. */
type HttpSocket = Socket & { _httpMessage?: { headersSent: boolean } | null }

/**
 * Fastify's `clientErrorHandler`: malformed request lines and headers (431 for headers over Node's
 * maxHeaderSize, 400 otherwise, 408 on timeout) get our JSON error shape and a lingering close, where
 * the default handler writes its own shape and destroys the socket at once.
 */
export function clientErrorHandler (this: FastifyInstance, err: Error & { code?: string, rawPacket?: unknown }, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed || answered.has(socket)) return
  answered.add(socket)
  const reason = reasonForClientError(err.code)
  const { status } = HTTP_ERRORS[reason]
  if (reason === 'request_timeout') this.log.info({ reason, remoteAddress: socket.remoteAddress }, 'request not received within MCP_HEADERS_TIMEOUT_MS/MCP_REQUEST_TIMEOUT_MS; answered 408 and closed')
  else this.log.debug({ code: err.code, reason }, 'malformed HTTP request refused')
  this.metrics.requests.inc({ route: 'unparsed', method: 'unknown', status })
  const inFlight = (socket as HttpSocket)._httpMessage
  if (socket.writable && (inFlight === undefined || inFlight === null || !inFlight.headersSent)) {
    const body = JSON.stringify(errorBody(reason))
    // An answer to HEAD has no body. The failed chunk starts with the request line when the client
    // wrote its head at once, which is the case that matters (a huge header); otherwise this misses.
    const head = Buffer.isBuffer(err.rawPacket) && err.rawPacket.subarray(0, 5).toString('latin1') === 'HEAD '
    socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${head ? '' : body}`)
  }
  lingeringClose(socket)
}
