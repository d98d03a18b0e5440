import t from 'tap'
import { formatPhysicalKey, formatS3Uri, isBucketName, parsePhysicalKey, parseS3Uri } from '../../src/data/s3-location.js'

t.test('bucket names: what S3 allows, nothing that could be a path, URL or injection', async (t) => {
  for (const name of ['abc', 'quilt-example', 'a.b-c', '0bucket', 'a'.repeat(63)]) t.ok(isBucketName(name), name)
  for (const name of ['ab', 'a'.repeat(64), 'Quilt', 'a_b', '-ab', 'ab-', '.ab', 'a/b', 'a b', 'a:b', '', 's3://abc']) {
    t.notOk(isBucketName(name), JSON.stringify(name))
  }
})

t.test('user URIs: the key is literal, only the versionId is decoded', async (t) => {
  t.same(parseS3Uri(' s3://quilt-example/a/b.csv '), { bucket: 'quilt-example', key: 'a/b.csv' })
  t.same(parseS3Uri('s3://quilt-example/a b%20c.csv'), { bucket: 'quilt-example', key: 'a b%20c.csv' }, 'spaces and percent signs stay as written')
  t.same(parseS3Uri('s3://quilt-example/k.csv?versionId=v%2B1'), { bucket: 'quilt-example', key: 'k.csv', versionId: 'v+1' })
  t.same(parseS3Uri('s3://quilt-example/k.csv?versionId=v+1'), { bucket: 'quilt-example', key: 'k.csv', versionId: 'v+1' }, '+ is not a space')
  for (const uri of ['s3://quilt-example/what?.csv', 's3://quilt-example/a.csv?foo=bar', 's3://quilt-example/a.csv?versionId=', 's3://quilt-example/a#b', 's3://quilt-example', 's3://quilt-example/', 's3://Quilt/k', 's3://a_b/k', 's3://ab/k', 'https://quilt-example/k', 'quilt-example/k', 's3:///k']) {
    t.equal(parseS3Uri(uri), undefined, uri)
  }
  t.equal(parseS3Uri('s3://quilt-example/k?versionId=%E0%A4'), undefined, 'a versionId that is not valid percent-encoding is refused, not thrown')
})

t.test('physical keys: the registry\'s encoded URLs, and back', async (t) => {
  t.same(parsePhysicalKey('s3://quilt-example/up%20loads/a%2520b.csv?versionId=v%2B1'), { bucket: 'quilt-example', key: 'up loads/a%20b.csv', versionId: 'v+1' })
  t.same(parsePhysicalKey('s3://quilt-example/k?versionId='), { bucket: 'quilt-example', key: 'k' }, 'an empty versionId is no version')
  for (const key of ['s3://quilt-example/', 's3://Quilt/k', 'file:///tmp/k', 'not a url', 's3://quilt-example/%E0%A4']) t.equal(parsePhysicalKey(key), undefined, key)
  const location = { bucket: 'quilt-example', key: 'up loads/100% a#b?.csv', versionId: 'v+1/x' }
  t.equal(formatPhysicalKey(location), 's3://quilt-example/up%20loads/100%25%20a%23b%3F.csv?versionId=v%2B1%2Fx')
  t.same(parsePhysicalKey(formatPhysicalKey(location)), location, 'parsePhysicalKey reads back what formatPhysicalKey writes')
  t.equal(formatS3Uri(location), 's3://quilt-example/up loads/100% a#b?.csv?versionId=v%2B1%2Fx', 'texts show the key as users read it')
})
