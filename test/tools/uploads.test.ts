import t from 'tap'
import { dataGateway, dataOf, textOf } from './data-gateway-harness.js'

const KEY = 'uploads/notes.md'

t.test('bucket_objects_put writes text and base64, and never overwrites unless told to', async (t) => {
  const g = await dataGateway(t)
  const first = await g.call('alice', 'bucket_objects_put', { bucket: 's3://quilt-example', items: [{ key: KEY, text: '# Notes\nfirst\n' }, { key: 'uploads/data.bin', base64: Buffer.from([0, 1, 2, 3]).toString('base64') }] })
  t.notOk(first.isError, textOf(first))
  t.match(dataOf(first), { bucket: 'quilt-example', written: 2, refused: 0, items: [{ key: KEY, status: 'written', size: 14 }, { key: 'uploads/data.bin', status: 'written', size: 4 }] })
  t.match(dataOf(await g.call('alice', 'bucket_object_info', { s3_uri: `s3://quilt-example/${KEY}` })), { size: 14, content_type: 'text/markdown; charset=utf-8' })
  t.match(dataOf(await g.call('alice', 'bucket_object_info', { s3_uri: 's3://quilt-example/uploads/data.bin' })), { size: 4, content_type: 'application/octet-stream' })

  const again = await g.call('alice', 'bucket_objects_put', { bucket: 'quilt-example', items: [{ key: KEY, text: 'second' }] })
  t.ok(again.isError, 'an existing key is refused without overwrite')
  t.match(textOf(again), /Nothing written to s3:\/\/quilt-example:\n- uploads\/notes\.md: exists: s3:\/\/quilt-example\/uploads\/notes\.md already exists; not overwritten\. Pass overwrite: true/)
  t.match(dataOf(await g.call('alice', 'bucket_object_text', { s3_uri: `s3://quilt-example/${KEY}` })), { text: '# Notes\nfirst\n' }, 'the object is unchanged')

  const mixed = await g.call('alice', 'bucket_objects_put', { bucket: 'quilt-example', items: [{ key: KEY, text: 'second' }, { key: 'uploads/new.csv', text: 'a,b\n1,2\n' }] })
  t.notOk(mixed.isError, 'each item on its own: one written, one refused')
  t.match(dataOf(mixed), { written: 1, refused: 1, items: [{ key: KEY, status: 'exists' }, { key: 'uploads/new.csv', status: 'written' }] })

  const replaced = await g.call('alice', 'bucket_objects_put', { bucket: 'quilt-example', items: [{ key: KEY, text: 'second' }], overwrite: true })
  t.notOk(replaced.isError, textOf(replaced))
  t.match(dataOf(await g.call('alice', 'bucket_object_text', { s3_uri: `s3://quilt-example/${KEY}` })), { text: 'second' })

  const tools = await g.clients.alice.listTools()
  t.match(tools.tools.find((tool) => tool.name === 'bucket_objects_put')?.annotations, { readOnlyHint: false, destructiveHint: true, idempotentHint: false })
})

t.test('the refusal is race-free: of two writers of one new key, exactly one wins', async (t) => {
  const g = await dataGateway(t)
  const results = await Promise.all(['one', 'two', 'three'].map((text) => g.call('alice', 'bucket_objects_put', { bucket: 'quilt-example', items: [{ key: 'uploads/race.txt', text }] })))
  t.equal(results.filter((r) => r.isError !== true).length, 1, 'one write succeeded')
  for (const lost of results.filter((r) => r.isError === true)) t.match(textOf(lost), /already exists; not overwritten|Another upload to .* was in progress/)
  const winner = results.findIndex((r) => r.isError !== true)
  t.match(dataOf(await g.call('alice', 'bucket_object_text', { s3_uri: 's3://quilt-example/uploads/race.txt' })), { text: ['one', 'two', 'three'][winner] })
})

t.test('uploads reach a bucket in another region; another user\'s bucket is refused with their own credentials', async (t) => {
  const g = await dataGateway(t)
  const far = await g.call('alice', 'bucket_objects_put', { bucket: 'cellpainting-data', items: [{ key: 'cellpainting/notes/run.txt', text: 'eu' }] })
  t.notOk(far.isError, textOf(far))
  t.ok(g.s3.requests.some((r) => r.method === 'PUT' && r.bucket === 'cellpainting-data' && r.refused === 'PermanentRedirect'), 'S3 redirected the first PUT')
  t.ok(g.s3.requests.some((r) => r.method === 'PUT' && r.bucket === 'cellpainting-data' && r.refused === null), 'and the write landed in eu-west-1')
  t.match(dataOf(await g.call('alice', 'bucket_object_text', { s3_uri: 's3://cellpainting-data/cellpainting/notes/run.txt' })), { text: 'eu' })

  const bob = await g.call('bob', 'bucket_objects_put', { bucket: 'quilt-example', items: [{ key: 'uploads/bob.txt', text: 'hi' }] })
  t.ok(bob.isError)
  t.match(textOf(bob), /uploads\/bob\.txt: failed: Access denied to s3:\/\/quilt-example\/uploads\/bob\.txt/)
  t.ok(g.s3.requests.some((r) => r.method === 'PUT' && r.key === 'uploads/bob.txt' && r.refused === 'AccessDenied'), 'S3 refused bob\'s own credentials')
  t.match(textOf(await g.call('alice', 'bucket_object_info', { s3_uri: 's3://quilt-example/uploads/bob.txt' })), /No such object/)
})

t.test('bad inputs: clear errors before anything is written', async (t) => {
  const g = await dataGateway(t)
  const cases: Array<[Record<string, unknown>, RegExp]> = [
    [{ bucket: 'quilt-example' }, /items/],
    [{ bucket: 'quilt-example', items: [] }, /items/],
    [{ items: [{ key: 'a.txt', text: 'x' }] }, /bucket/],
    [{ bucket: 'quilt-example', items: [{ key: 'a.txt' }] }, /give exactly one of text and base64/],
    [{ bucket: 'quilt-example', items: [{ key: 'a.txt', text: 'x', base64: 'eA==' }] }, /give exactly one of text and base64/],
    [{ bucket: 'quilt-example', items: [{ key: 'a.bin', base64: 'not base64!' }] }, /must be standard base64/],
    [{ bucket: 'quilt-example', items: [{ key: '../escape.txt', text: 'x' }] }, /must not contain "\." or "\.\." segments/],
    [{ bucket: 'quilt-example', items: [{ key: 'folder/', text: 'x' }] }, /must name an object/],
    [{ bucket: 'quilt-example', items: [{ key: 'a.txt', text: 'x' }, { key: 'a.txt', text: 'y' }] }, /each key may appear only once/],
    [{ bucket: 'quilt-example', items: [{ key: 'a.txt', text: 'x', content_type: 'text/html\r\nx-evil: 1' }] }, /must be a media type/]
  ]
  for (const [args, message] of cases) {
    const result = await g.call('alice', 'bucket_objects_put', args)
    t.ok(result.isError, JSON.stringify(args))
    t.match(textOf(result), message)
  }
  t.notOk(g.s3.requests.some((r) => r.method === 'PUT'), 'nothing reached S3')
})

t.test('2 MiB of files fit through the 4 MiB body limit as base64; one byte more is refused with what to do', async (t) => {
  const g = await dataGateway(t)
  const half = Buffer.alloc(1024 * 1024, 7).toString('base64')
  const full = await g.call('alice', 'bucket_objects_put', { bucket: 'quilt-example', items: [{ key: 'big/a.bin', base64: half }, { key: 'big/b.bin', base64: half }] })
  t.notOk(full.isError, textOf(full))
  t.equal(dataOf(full).written, 2)
  const over = await g.call('alice', 'bucket_objects_put', { bucket: 'quilt-example', items: [{ key: 'big/c.bin', base64: half }, { key: 'big/d.bin', base64: half }, { key: 'big/e.txt', text: 'x' }] })
  t.ok(over.isError)
  t.match(textOf(over), /over the 2 MiB a call may carry\. Split them over several calls, or get a bucket_object_upload_link/)
  const audit = g.logs.lines.filter((line) => line.includes('"name":"audit"') && line.includes('bucket_objects_put'))
  t.ok(audit.length >= 2, 'audited')
  t.ok(audit.every((line) => line.length < 2000 && line.includes('"itemsCount"')), 'the audit line counts the items and carries none of their bytes')
})
