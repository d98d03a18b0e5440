import t from 'tap'
import { samplePng } from '../../packages/sample-stack/src/sample-image.js'
import { dataGateway, dataOf, textOf } from './data-gateway-harness.js'

const PNG = 's3://cellpainting-data/cellpainting/thumbnails/well-A01.png'
const TIF = 's3://quilt-example/examples/wellplates/data/raw/plate1/img_001.tif'

t.test('an image comes back as MCP image content, from a bucket in another region learnt once', async (t) => {
  const g = await dataGateway(t)
  const result = await g.call('alice', 'bucket_object_fetch', { s3_uri: PNG })
  t.notOk(result.isError, textOf(result))
  t.match(textOf(result), /PNG image, .* attached/)
  const image = result.content[1]
  t.equal(image?.type, 'image')
  if (image?.type !== 'image') return
  t.equal(image.mimeType, 'image/png')
  t.same(Buffer.from(image.data, 'base64'), samplePng(), 'the PNG\'s own bytes')
  t.match(dataOf(result), { kind: 'image', mime_type: 'image/png', size: samplePng().length })
  t.notOk(JSON.stringify(result.structuredContent).includes(image.data.slice(0, 40)), 'the bytes are carried once, not again in structured content')
  const redirects = g.s3.requests.filter((r) => r.refused === 'PermanentRedirect').length
  t.equal(redirects, 1, 'S3 redirected the first request to cellpainting-data (eu-west-1) once')

  const again = await g.call('bob', 'bucket_object_fetch', { s3_uri: PNG })
  t.ok(again.isError, 'bob\'s role cannot read cellpainting-data')
  t.match(textOf(again), /Access denied to s3:\/\/cellpainting-data/)
  const link = await g.call('alice', 'bucket_object_link', { s3_uri: PNG })
  const url = new URL(dataOf<{ url: string }>(link).url)
  t.match(url.searchParams.get('X-Amz-Credential'), /\/eu-west-1\/s3\//, 'the link is signed for the bucket\'s region')
  t.equal((await fetch(url)).status, 200, 'and S3 serves it')
  t.equal(g.s3.requests.filter((r) => r.refused === 'PermanentRedirect').length, redirects, 'the region was remembered: no further redirects')
})

t.test('other bytes come back as a base64 blob resource', async (t) => {
  const g = await dataGateway(t)
  const result = await g.call('alice', 'bucket_object_fetch', { s3_uri: TIF, max_bytes: 64 * 1024 })
  t.notOk(result.isError, textOf(result))
  const blob = result.content[1]
  t.equal(blob?.type, 'resource')
  if (blob?.type !== 'resource' || !('blob' in blob.resource)) return t.fail('no blob')
  t.equal(blob.resource.uri, TIF)
  t.equal(blob.resource.mimeType, 'application/octet-stream')
  t.same([...Buffer.from(blob.resource.blob, 'base64').subarray(0, 4)], [...Buffer.from('II*\0')], 'a TIFF')
  t.match(dataOf(result), { kind: 'blob' })
})

t.test('images are recognised by their bytes, whatever their Content-Type says', async (t) => {
  const g = await dataGateway(t)
  const put = await g.call('alice', 'bucket_objects_put', { bucket: 'quilt-example', items: [{ key: 'uploads/no-type', base64: samplePng().toString('base64'), content_type: 'application/octet-stream' }] })
  t.notOk(put.isError, textOf(put))
  const result = await g.call('alice', 'bucket_object_fetch', { s3_uri: 's3://quilt-example/uploads/no-type' })
  t.match(result.content[1], { type: 'image', mimeType: 'image/png' })
})

t.test('an object over max_bytes is refused with the cap named and a working link', async (t) => {
  const g = await dataGateway(t)
  const result = await g.call('alice', 'bucket_object_fetch', { s3_uri: 's3://quilt-example/examples/wellplates/data/summary.csv', max_bytes: 1000 })
  t.ok(result.isError)
  t.match(textOf(result), /is 20 KB \(20480 bytes\), over max_bytes \(1000 bytes\)\. Call again with a larger max_bytes \(at most 3145728\), or download it: http/)
  const link = /(http:\/\/\S+)/.exec(textOf(result))?.[1]
  t.equal((await fetch(link ?? '')).status, 200, 'the offered link downloads it')
  const gets = g.s3.requests.filter((r) => r.method === 'GET' && r.key === 'examples/wellplates/data/summary.csv' && !r.presigned)
  t.equal(gets.length, 0, 'the oversized body was never requested (HEAD first)')

  const over = await g.call('alice', 'bucket_object_fetch', { s3_uri: TIF, max_bytes: 3 * 1024 * 1024 + 1 })
  t.ok(over.isError)
  t.match(textOf(over), /Invalid arguments for tool bucket_object_fetch: max_bytes/)
})

t.test('bad inputs and missing objects are clear errors', async (t) => {
  const g = await dataGateway(t)
  t.match(textOf(await g.call('alice', 'bucket_object_fetch', {})), /Invalid arguments for tool bucket_object_fetch: s3_uri/)
  t.match(textOf(await g.call('alice', 'bucket_object_fetch', { s3_uri: 'https://example.com/x.png' })), /must be "s3:\/\/bucket\/key"/)
  const missing = await g.call('alice', 'bucket_object_fetch', { s3_uri: 's3://quilt-example/no/such.png' })
  t.ok(missing.isError)
  t.match(textOf(missing), /No such object: s3:\/\/quilt-example\/no\/such\.png/)
})
