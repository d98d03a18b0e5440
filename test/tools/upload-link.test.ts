import t from 'tap'
import { dataGateway, dataOf, textOf } from './data-gateway-harness.js'

interface Link { url: string, method: string, headers: Record<string, string>, expires_in: number, exists: boolean | null }

t.test('bucket_object_upload_link: a presigned PUT that plain HTTP can use, signed Content-Type enforced', async (t) => {
  const g = await dataGateway(t)
  const result = await g.call('alice', 'bucket_object_upload_link', { s3_uri: 's3://quilt-example/uploads/large.csv', content_type: 'text/csv', expires_in: 120 })
  t.notOk(result.isError, textOf(result))
  const link = dataOf<Link>(result)
  t.match(link, { method: 'PUT', headers: { 'Content-Type': 'text/csv' }, expires_in: 120, exists: false })
  t.match(textOf(result), /curl -X PUT --upload-file FILE -H 'Content-Type: text\/csv' 'http/)

  const wrongType = await fetch(link.url, { method: 'PUT', body: 'a,b\n', headers: { 'content-type': 'text/plain' } })
  t.equal(wrongType.status, 403, 'the Content-Type is signed: another one does not verify')
  const put = await fetch(link.url, { method: 'PUT', body: 'a,b\n1,2\n', headers: { 'content-type': 'text/csv' } })
  t.equal(put.status, 200, 'the upload lands')
  t.match(dataOf(await g.call('alice', 'bucket_object_info', { s3_uri: 's3://quilt-example/uploads/large.csv' })), { size: 8, content_type: 'text/csv' })

  const existing = await g.call('alice', 'bucket_object_upload_link', { s3_uri: 's3://quilt-example/uploads/large.csv' })
  t.equal(dataOf<Link>(existing).exists, true)
  t.match(textOf(existing), /An object already exists there: uploading replaces it/)
  t.notOk(g.logs.text.includes('X-Amz-Signature'), 'no presigned link in the logs')
})

t.test('a link to a bucket in another region is signed for that region and works', async (t) => {
  const g = await dataGateway(t)
  const result = await g.call('alice', 'bucket_object_upload_link', { s3_uri: 's3://cellpainting-data/cellpainting/uploads/plate.tif' })
  t.notOk(result.isError, textOf(result))
  const url = new URL(dataOf<Link>(result).url)
  t.match(url.searchParams.get('X-Amz-Credential'), /\/eu-west-1\/s3\/aws4_request$/)
  t.equal((await fetch(url, { method: 'PUT', body: 'II*\0 tiff' })).status, 200, 'S3 takes the upload without a redirect')
  t.match(dataOf(await g.call('alice', 'bucket_object_info', { s3_uri: 's3://cellpainting-data/cellpainting/uploads/plate.tif' })), { size: 9 })
})

t.test('another user\'s bucket: the link carries their own credentials, and S3 refuses it', async (t) => {
  const g = await dataGateway(t)
  const result = await g.call('bob', 'bucket_object_upload_link', { s3_uri: 's3://quilt-example/uploads/bob.csv' })
  t.notOk(result.isError, 'a role may write without reading, so the link is made')
  t.equal(dataOf<Link>(result).exists, null, 'whether the key exists is unknown to bob')
  t.equal((await fetch(dataOf<Link>(result).url, { method: 'PUT', body: 'x' })).status, 403)
  t.match(textOf(await g.call('alice', 'bucket_object_info', { s3_uri: 's3://quilt-example/uploads/bob.csv' })), /No such object/)
})

t.test('bad inputs', async (t) => {
  const g = await dataGateway(t)
  for (const [args, message] of [
    [{}, /s3_uri/],
    [{ s3_uri: 's3://quilt-example/a.csv?versionId=abc' }, /without versionId/],
    [{ s3_uri: 's3://quilt-example/a.csv', expires_in: 3601 }, /expires_in/],
    [{ s3_uri: 's3://quilt-example/a.csv', content_type: 'nonsense' }, /must be a media type/]
  ] as const) {
    const result = await g.call('alice', 'bucket_object_upload_link', args)
    t.ok(result.isError)
    t.match(textOf(result), message)
  }
  const tools = await g.clients.alice.listTools()
  t.match(tools.tools.find((tool) => tool.name === 'bucket_object_upload_link')?.annotations, { readOnlyHint: false, destructiveHint: true })
})
