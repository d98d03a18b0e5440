import { subscribe } from 'node:diagnostics_channel'
import type { FastifyInstance } from 'fastify'
import { VERSION } from '../config/version.js'
import { enableSpans } from './spans.js'

export interface Tracing {
  /** Sends the spans still buffered; called when an app closes (before close-with-grace exits). */
  flush: () => Promise<void>
  shutdown: () => Promise<void>
}

/** Paths never traced: probes and scrapes would drown the MCP traffic (and cost a span each). */
const UNTRACED_PATHS = new Set(['/healthz', '/readyz', '/metrics'])

/**
 * Whether the standard OpenTelemetry variables ask for traces: an OTLP endpoint is set and neither
 * OTEL_SDK_DISABLED=true nor OTEL_TRACES_EXPORTER=none says otherwise.
 */
export function tracingRequested (env: NodeJS.ProcessEnv): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false
  if (env.OTEL_TRACES_EXPORTER?.trim().toLowerCase() === 'none') return false
  return [env.OTEL_EXPORTER_OTLP_ENDPOINT, env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT].some((value) => value !== undefined && value.trim() !== '')
}

/**
 * Starts OpenTelemetry tracing (OTLP over HTTP, configured by the OTEL_* variables: endpoint, headers,
 * service name, sampler, batch delays) when requested, else does nothing. The SDK is imported only
 * then, so an untraced gateway loads none of it. Call before the first Fastify instance is created:
 * @fastify/otel attaches itself to every instance through Fastify's "fastify.initialization"
 * diagnostics channel, which needs no module patching, so import order does not matter.
 */
export async function startTracing (env: NodeJS.ProcessEnv = process.env): Promise<Tracing | undefined> {
  if (!tracingRequested(env)) return undefined
  const [api, { NodeTracerProvider, BatchSpanProcessor }, { OTLPTraceExporter }, resources, { FastifyOtelInstrumentation }] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@fastify/otel')
  ])
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (the env detector) win over the built-in name.
  const resource = resources.defaultResource()
    .merge(resources.resourceFromAttributes({ 'service.name': 'quilt-mcp-gateway', 'service.version': VERSION }))
    .merge(resources.detectResources({ detectors: [resources.envDetector] }))
  const provider = new NodeTracerProvider({ resource, spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter())] })
  // Global tracer provider, AsyncLocalStorage context manager, W3C traceparent/baggage propagators.
  provider.register()
  const instrumentation = new FastifyOtelInstrumentation({
    registerOnInitialization: true,
    // One server span and one handler span per request; a span per lifecycle hook is noise.
    instrumentHooks: false,
    ignorePaths: (route: { url: string }) => UNTRACED_PATHS.has(route.url.split('?')[0]!)
  })
  instrumentation.setTracerProvider(provider)
  subscribe('fastify.initialization', (message) => {
    const app = (message as { fastify: FastifyInstance }).fastify
    app.addHook('onClose', async () => { await provider.forceFlush() })
  })
  enableSpans(api)
  return { flush: () => provider.forceFlush(), shutdown: () => provider.shutdown() }
}
