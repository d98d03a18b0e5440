import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { readFileSync } from 'node:fs'
import { createServer, request as httpRequest } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Client } from '@modelcontextprotocol/sdk/client/index.js'
import t, { type Test } from 'tap'
import { MAX_INFLATED_BYTES } from '../../src/data/object-text.js'
import { SampleCredentials } from '../../packages/sample-stack/src/credentials.js'
import { demoTenants } from '../../packages/sample-stack/src/data.js'
import { ACME_TOKEN, startFakeRegistry } from '../helpers/fake-registry.js'
import { startGatewayProcess } from '../helpers/gateway-process.js'
import { gzipOf } from '../helpers/gzip.js'
import { connectClient } from '../helpers/mcp-client.js'
import { startSampleAws } from '../helpers/sample-aws.js'
import { signToken, TEST_SECRET } from '../helpers/tokens.js'

/*
 * Issue 16: a 522 KB gzip of zeros, read with a large offset, took a gateway from 125 MB to 2 GB in
 * four calls. The gateway runs in its own process here, as deployed, so its peak RSS (VmHWM, which
 * no later GC lowers and no machine load raises) is its own.
 */

const peakRssMb = (pid: number) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024
const textOf = (result: Awaited<ReturnType<Client['callTool']>>) => (result.content as Array<{ type: string, text?: string }>)[0]?.text ?? ''

/** The sample stack with a user who may write to their own bucket, as any uploader may. */
async function stack (t: Test, objects: Record<string, Buffer>, s3Url?: (url: string) => Promise<string>) {
  const tenants = demoTenants()
  const credentials = new SampleCredentials()
  const registry = await startFakeRegistry(t, { tenants, credentials })
  const { s3 } = await startSampleAws(t, tenants, [credentials])
  const writer = credentials.issue(ACME_TOKEN, ['quilt-example'])
  const client = new S3Client({ region: 'us-east-1', endpoint: s3.url, forcePathStyle: true, credentials: writer })
  for (const [key, body] of Object.entries(objects)) {
    await client.send(new PutObjectCommand({ Bucket: 'quilt-example', Key: key, Body: body, ContentType: 'application/gzip' }))
  }
  client.destroy()
  const gateway = await startGatewayProcess(t, {
    MCP_JWT_SECRET: TEST_SECRET, MCP_MAX_EVENT_LOOP_DELAY_MS: '0', AWS_ENDPOINT_URL_S3: s3Url === undefined ? s3.url : await s3Url(s3.url)
  })
  const mcp = await connectClient(t, `http://127.0.0.1:${gateway.port}`, signToken({ sub: 'uploader', catalog_token: ACME_TOKEN, registry_url: registry.url }))
  return { gateway, mcp }
}

t.test('a gzip bomb costs the gateway a bounded amount of memory, at any offset', async (t) => {
  const zeros = gzipOf(540 * 1024 * 1024, 0)
  const letters = gzipOf(2200 * 1024 * 1024, 0x61)
  t.ok(zeros.length < 600 * 1024 && letters.length < 2.4 * 1024 * 1024, `bombs of ${zeros.length} and ${letters.length} bytes`)
  const { gateway, mcp } = await stack(t, { 'uploads/zeros.gz': zeros, 'uploads/letters.txt.gz': letters })
  // Warm: the first call loads the S3 client and fetches credentials.
  const warm = await mcp.callTool({ name: 'bucket_object_info', arguments: { s3_uri: 's3://quilt-example/uploads/zeros.gz' } })
  t.notOk(warm.isError, textOf(warm))
  const before = peakRssMb(gateway.pid)

  const far = await Promise.all([1, 2, 3, 4].map(() => mcp.callTool({ name: 'bucket_object_text', arguments: { s3_uri: 's3://quilt-example/uploads/zeros.gz', offset: 2e9 } })))
  for (const result of far) {
    t.ok(result.isError, 'an offset past the ceiling is an argument error')
    t.match(textOf(result), `offset 2000000000 is beyond what the gateway decompresses of a compressed object: the first ${MAX_INFLATED_BYTES} bytes (64 MiB)`)
  }
  // The same bomb as a package file: package_file_text reads it by the same rules.
  const pushed = await mcp.callTool({ name: 'package_create', arguments: { bucket: 'quilt-example', package_name: 'uploads/bomb', message: 'a bomb', files: [{ logical_key: 'zeros.gz', s3_uri: 's3://quilt-example/uploads/zeros.gz' }] } })
  t.notOk(pushed.isError, textOf(pushed))
  const packaged = await mcp.callTool({ name: 'package_file_text', arguments: { bucket: 'quilt-example', package_name: 'uploads/bomb', path: 'zeros.gz', offset: 2e9 } })
  t.ok(packaged.isError, 'package_file_text refuses the same offset')
  t.match(textOf(packaged), /offset 2000000000 is beyond what the gateway decompresses/)
  const beyondS3 = await mcp.callTool({ name: 'bucket_object_text', arguments: { s3_uri: 's3://quilt-example/uploads/zeros.gz', offset: 1e15 } })
  t.ok(beyondS3.isError, 'an offset past S3\'s largest object is refused by the schema')
  t.match(textOf(beyondS3), /offset/)
  // Just under the ceiling, every call inflates the full 64 MiB and keeps only its slice.
  const near = await Promise.all([1, 2, 3, 4].map((n) => mcp.callTool({
    name: 'bucket_object_text', arguments: { s3_uri: 's3://quilt-example/uploads/letters.txt.gz', offset: MAX_INFLATED_BYTES - n * 1000, max_bytes: 1024 * 1024 }
  })))
  for (const [i, result] of near.entries()) {
    t.notOk(result.isError, textOf(result).slice(0, 200))
    t.match(result.structuredContent, { kind: 'text', length: (i + 1) * 1000, next_offset: null, inflation_ceiling: MAX_INFLATED_BYTES })
    t.match(textOf(result).slice(0, 300), /decompresses at most the first 67108864 bytes \(64 MiB\) of a compressed object, so this stops there/)
  }
  const growth = peakRssMb(gateway.pid) - before
  t.ok(growth < 100, `peak RSS grew ${growth.toFixed(1)} MB over nine bomb reads (from ${before.toFixed(1)} MB)`)
})

t.test('a read stops when the client goes away: the gateway closes its S3 connection', async (t) => {
  // Text that does not compress away: the read must still be streaming when the client leaves.
  const noise = Buffer.from(Array.from({ length: 400_000 }, (_, i) => `${(i * 2654435761) % 4294967296} `).join(''))
  const { gzipSync } = await import('node:zlib')
  let held: () => void = () => {}
  const firstChunkSent = new Promise<void>((resolve) => { held = resolve })
  let closed: () => void = () => {}
  const s3Closed = new Promise<void>((resolve) => { closed = resolve })
  // A proxy in front of the sample S3 that sends the object's first chunk, then holds the rest back.
  const { mcp } = await stack(t, { 'uploads/slow.txt.gz': gzipSync(noise) }, async (s3Url) => {
    const upstream = new URL(s3Url)
    const proxy = createServer((req, res) => {
      const slow = req.method === 'GET' && (req.url ?? '').startsWith('/quilt-example/uploads/slow.txt.gz')
      const forward = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        if (!slow) return answer.pipe(res)
        answer.once('data', (chunk: Buffer) => {
          answer.pause()
          res.write(chunk, () => held())
        })
        res.once('close', () => { answer.destroy(); closed() })
      })
      req.pipe(forward)
    })
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
    t.teardown(() => { proxy.closeAllConnections(); proxy.close() })
    return `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`
  })
  const call = mcp.callTool({ name: 'bucket_object_text', arguments: { s3_uri: 's3://quilt-example/uploads/slow.txt.gz', offset: 3_000_000 } })
  call.catch(() => {})
  await firstChunkSent
  await mcp.close()
  // Without the client's signal reaching the read, this waits for the S3 deadline (30 s): past tap's budget.
  await s3Closed
  t.pass('the gateway dropped its S3 read once the client closed')
})
