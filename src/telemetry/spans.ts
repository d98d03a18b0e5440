import type { Attributes, Span } from '@opentelemetry/api'
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js'
import { VERSION } from '../config/version.js'

type OtelApi = typeof import('@opentelemetry/api')

/**
 * Spans for the gateway's own work (MCP exchange, tool, registry GraphQL call, SSM read), on top of
 * @fastify/otel's server span. Off unless src/telemetry/tracing.ts started an SDK and handed over the
 * OpenTelemetry API: until then every helper returns at its first line, so an untraced gateway pays
 * one check per call, not a no-op span.
 */
let api: OtelApi | undefined

export function enableSpans (otel: OtelApi): void {
  api = otel
}

const tracer = (otel: OtelApi) => otel.trace.getTracer('quilt-mcp-gateway', VERSION)

/** A span's name and attributes, built only when tracing is on (describe callbacks below). */
export type SpanDescription = [name: string, attributes: Attributes]

/** A span for an outgoing call (not yet active; see withinSpan), or undefined when tracing is off. */
export function startClientSpan (describe: () => SpanDescription): Span | undefined {
  if (api === undefined) return undefined
  const [name, attributes] = describe()
  return tracer(api).startSpan(name, { kind: api.SpanKind.CLIENT, attributes })
}

/** Runs fn with span as the active span, so nested spans and the traceparent header descend from it. */
export function withinSpan<T> (span: Span | undefined, fn: () => Promise<T>): Promise<T> {
  return span === undefined || api === undefined ? fn() : api.context.with(api.trace.setSpan(api.context.active(), span), fn)
}

/** Ends a span with the call's outcome ("ok" or a failure kind) as attribute and status. */
export function endSpan (span: Span | undefined, outcome: string): void {
  if (span === undefined || api === undefined) return
  span.setAttribute('quilt.outcome', outcome)
  if (outcome !== 'ok') span.setStatus({ code: api.SpanStatusCode.ERROR, message: outcome })
  span.end()
}

/**
 * Runs fn inside a new active span; outcomeOf names the outcome of a value that is a failure without
 * being an exception (a tool's isError result). A thrown error ends the span as "exception".
 */
export async function inSpan<T> (describe: () => SpanDescription, fn: () => Promise<T>, outcomeOf: (value: T) => string = () => 'ok'): Promise<T> {
  if (api === undefined) return fn()
  const [name, attributes] = describe()
  const span = tracer(api).startSpan(name, { kind: api.SpanKind.INTERNAL, attributes })
  try {
    const value = await withinSpan(span, fn)
    endSpan(span, outcomeOf(value))
    return value
  } catch (err) {
    if (err instanceof Error) span.recordException(err)
    endSpan(span, 'exception')
    throw err
  }
}

/** Adds traceparent (and tracestate) for the active span to outgoing headers. */
export function injectTraceHeaders (headers: Record<string, string>): void {
  api?.propagation.inject(api.context.active(), headers)
}

/** The trace id of the active span, when tracing is on and a span is active. */
export function activeTraceId (): string | undefined {
  return api?.trace.getActiveSpan()?.spanContext().traceId
}

/**
 * Name and attributes of the span of one MCP exchange (one POST): "tools/call package_browse" as the
 * MCP semantic conventions name it ("{method} {target}"), or "batch" for several messages.
 */
export function describeMcpExchange (messages: readonly JSONRPCMessage[]): SpanDescription {
  const methods = messages.map((message) => 'method' in message ? message.method : undefined).filter((method) => method !== undefined)
  const first = messages[0]
  const target = messages.length === 1 && first !== undefined && 'method' in first && first.method === 'tools/call' && typeof first.params?.name === 'string' ? first.params.name : undefined
  const name = messages.length > 1 ? 'batch' : `${methods[0] ?? 'response'}${target === undefined ? '' : ` ${target}`}`
  return [name, { 'mcp.method.name': methods.join(','), ...(target === undefined ? {} : { 'gen_ai.tool.name': target }), 'jsonrpc.batch_size': messages.length }]
}
