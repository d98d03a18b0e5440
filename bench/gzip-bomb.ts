/**
 * npm run bench:gzip-bomb
 *
 * Issue 16's measurement: the gateway's peak RSS (VmHWM) during four bucket_object_text calls, one
 * after another, on a gzip of zeros (about 540 KB, then about 2.2 MB) at offset 2e9, each bomb in a
 * fresh gateway process against the sample registry and sample S3; then the same at an offset just
 * under the 64 MiB decompression ceiling, where every call inflates the whole ceiling.
 */
import { readFileSync } from 'node:fs'
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import { SampleCredentials } from '../packages/sample-stack/src/credentials.js'
import { ACME_TOKEN, demoTenants } from '../packages/sample-stack/src/data.js'
import { startSampleS3 } from '../packages/sample-stack/src/sample-s3.js'
import { startSampleRegistry } from '../packages/sample-stack/src/server.js'
import { signHs256 } from '../src/auth/token.js'
import { gzipOf } from '../test/helpers/gzip.js'
import { BENCH_SECRET, spawnGateway, stopGateway } from './shared.js'

const MiB = 1024 * 1024
const peakMb = (pid: number) => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024

const tenants = demoTenants()
const credentials = new SampleCredentials()
const registry = await startSampleRegistry({ tenants, credentials, port: 0, host: '127.0.0.1' })
const s3 = await startSampleS3({ tenants, credentials: [credentials] })
const writer = new S3Client({ region: 'us-east-1', endpoint: s3.url, forcePathStyle: true, credentials: credentials.issue(ACME_TOKEN, ['quilt-example']) })
const bombs = { 'zeros-540k.gz': gzipOf(540 * MiB, 0), 'zeros-2.2m.gz': gzipOf(2200 * MiB, 0) }
for (const [key, body] of Object.entries(bombs)) {
  await writer.send(new PutObjectCommand({ Bucket: 'quilt-example', Key: `bench/${key}`, Body: body, ContentType: 'application/gzip' }))
}
writer.destroy()
const token = signHs256({ sub: 'bench', catalog_token: ACME_TOKEN, registry_url: registry.url, exp: Math.floor(Date.now() / 1000) + 3600 }, BENCH_SECRET)

console.log(`node ${process.version}; four bucket_object_text calls one after another, each bomb in a fresh gateway\n`)
for (const [[key, body], offset] of Object.entries(bombs).flatMap((bomb) => [2e9, 64 * MiB - 1000].map((offset) => [bomb, offset] as const))) {
  const { child, port } = await spawnGateway({ AWS_ENDPOINT_URL_S3: s3.url })
  const client = new Client({ name: 'bench', version: '1.0.0' })
  await client.connect(new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${port}/mcp`), { requestInit: { headers: { authorization: `Bearer ${token}` } } }))
  const s3Uri = `s3://quilt-example/bench/${key}`
  await client.callTool({ name: 'bucket_object_info', arguments: { s3_uri: s3Uri } })
  const before = peakMb(child.pid!)
  const started = performance.now()
  let answer = ''
  for (let call = 0; call < 4; call++) {
    const result = await client.callTool({ name: 'bucket_object_text', arguments: { s3_uri: s3Uri, offset } }, undefined, { timeout: 300_000 })
    answer = `${result.isError === true ? 'error' : 'ok'}: ${((result.content as Array<{ text?: string }>)[0]?.text ?? '').slice(0, 100)}`
  }
  const seconds = (performance.now() - started) / 1000
  console.log(`${key} (${(body.length / 1024).toFixed(0)} KB) at offset ${offset}: peak RSS ${before.toFixed(0)} MB before, ${peakMb(child.pid!).toFixed(0)} MB after four calls (${seconds.toFixed(1)} s)`)
  console.log(`  last answer: ${answer}`)
  await client.close()
  await stopGateway(child)
}
await s3.close()
await registry.close()
