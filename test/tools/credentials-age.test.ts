import t from 'tap'
import { MAX_CREDENTIALS_AGE_MS } from '../../src/data/credentials.js'
import { SampleCredentials } from '../../packages/sample-stack/src/credentials.js'
import { demoTenants } from '../../packages/sample-stack/src/data.js'
import { startSampleAws } from '../helpers/sample-aws.js'
import { textOf, toolHarness } from './harness.js'

/**
 * STS credentials outlive the catalog session they were issued for. When no registry call notices a
 * revoked token, the data tools still stop within MAX_CREDENTIALS_AGE_MS: credentials are fetched
 * again (the registry re-validates the token) at least that often.
 */
t.test('a revoked catalog token stops reads and new links within the maximum credentials age', async (t) => {
  let now = Date.now()
  const tenants = demoTenants()
  const credentials = new SampleCredentials()
  const { s3 } = await startSampleAws(t, tenants, [credentials])
  const h = await toolHarness(t, { tenants, credentials, s3Endpoint: s3.url, now: () => now })
  const readme = { s3_uri: 's3://quilt-example/examples/wellplates/README.md' }
  t.notOk((await h.call('bucket_object_text', readme)).isError)
  t.notOk((await h.call('bucket_object_link', readme)).isError)
  t.equal(credentials.calls.length, 1)

  // Revoked: the registry refuses the token from now on; the credentials issued before still open S3.
  credentials.refuse = 401
  now += MAX_CREDENTIALS_AGE_MS - 60_000
  t.notOk((await h.call('bucket_object_text', readme)).isError, 'within the bound, the cached credentials serve')
  t.equal(credentials.calls.length, 1)
  now += 60_001
  for (const tool of ['bucket_object_text', 'bucket_object_link']) {
    const refused = await h.call(tool, readme)
    t.ok(refused.isError, `${tool}: refused once the bound is reached`)
    t.match(textOf(refused), /Sign in to the catalog again/)
  }
  t.equal(credentials.calls.length, 3, 'the registry was asked, and refused, each time')
})
