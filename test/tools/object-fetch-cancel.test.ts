import { createServer, request } from 'node:http'
import type { AddressInfo } from 'node:net'
import t from 'tap'
import { SampleCredentials } from '../../packages/sample-stack/src/credentials.js'
import { demoTenants } from '../../packages/sample-stack/src/data.js'
import { tools } from '../../src/tools/index.js'
import { runTool } from '../../src/tools/result.js'
import { startSampleAws } from '../helpers/sample-aws.js'
import { textOf, toolHarness } from './harness.js'

const KEY = 'examples/wellplates/data/raw/plate1/img_001.tif'

t.test('bucket_object_fetch stops reading S3 when its caller goes away', async (t) => {
  const tenants = demoTenants()
  const credentials = new SampleCredentials()
  const { s3 } = await startSampleAws(t, tenants, [credentials])
  // In front of the sample S3: passes everything, but sends only the first KiB of the object's body
  // and then holds the response open, as a slow S3 would.
  const upstream = new URL(s3.url)
  let held!: () => void
  const holding = new Promise<void>((resolve) => { held = resolve })
  let closedByGateway!: () => void
  const closed = new Promise<void>((resolve) => { closedByGateway = resolve })
  const proxy = createServer((req, res) => {
    const forward = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers)
      if (req.method !== 'GET' || !(req.url ?? '').includes(KEY)) return answer.pipe(res)
      answer.once('data', (chunk: Buffer) => {
        res.write(chunk.subarray(0, 1024))
        answer.destroy()
        res.once('close', () => closedByGateway())
        held()
      })
    })
    req.pipe(forward)
  })
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { proxy.closeAllConnections(); proxy.close() })
  const h = await toolHarness(t, { tenants, credentials, s3Endpoint: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` })

  const caller = new AbortController()
  const ctx = h.context(undefined, caller.signal)
  const tool = tools.find((candidate) => candidate.name === 'bucket_object_fetch')
  if (tool === undefined) return t.fail('no bucket_object_fetch')
  const pending = runTool(tool.name, ctx, () => tool.run(tool.inputSchema.parse({ s3_uri: `s3://quilt-example/${KEY}`, max_bytes: 64 * 1024 }), ctx))
  await holding
  caller.abort()
  const result = await pending
  t.ok(result.isError)
  t.match(textOf(result), /cancelled because the client went away/)
  await closed
  t.pass('the gateway closed its S3 connection mid-body')
})
