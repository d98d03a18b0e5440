import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Test } from 'tap'
import { z } from 'zod'

/** One span as OTLP/HTTP JSON carries it (ids in hex, kind as the OTLP enum: 2 = SERVER, 3 = CLIENT). */
export interface ReceivedSpan {
  name: string
  kind: number
  traceId: string
  spanId: string
  parentSpanId?: string
  attributes: Record<string, unknown>
  serviceName: unknown
}

const AttributeSchema = z.object({ key: z.string(), value: z.record(z.string(), z.unknown()) })
const attributeMap = (attributes: Array<z.infer<typeof AttributeSchema>> = []) =>
  Object.fromEntries(attributes.map(({ key, value }) => [key, Object.values(value)[0]]))

const ExportSchema = z.object({
  resourceSpans: z.array(z.object({
    resource: z.object({ attributes: z.array(AttributeSchema).optional() }).optional(),
    scopeSpans: z.array(z.object({
      spans: z.array(z.object({
        name: z.string(),
        kind: z.number(),
        traceId: z.string(),
        spanId: z.string(),
        parentSpanId: z.string().optional(),
        attributes: z.array(AttributeSchema).optional()
      }))
    }))
  }))
})

/** A loopback OTLP/HTTP (JSON) trace receiver, as a collector's otlp receiver on :4318/v1/traces. */
export async function startOtlpReceiver (t: Test): Promise<{ url: string, spans: ReceivedSpan[] }> {
  const spans: ReceivedSpan[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const parsed = ExportSchema.safeParse(JSON.parse(Buffer.concat(chunks).toString('utf8')))
      if (req.url !== '/v1/traces' || !parsed.success) {
        res.writeHead(400).end()
        return
      }
      for (const { resource, scopeSpans } of parsed.data.resourceSpans) {
        const serviceName = attributeMap(resource?.attributes)['service.name']
        for (const span of scopeSpans.flatMap((scope) => scope.spans)) {
          spans.push({ ...span, parentSpanId: span.parentSpanId === '' ? undefined : span.parentSpanId, attributes: attributeMap(span.attributes), serviceName })
        }
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, spans }
}
