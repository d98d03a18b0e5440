import t from 'tap'
import { SampleCredentials } from '../../packages/sample-stack/src/credentials.js'
import { demoTenants } from '../../packages/sample-stack/src/data.js'
import { ACME_TOKEN, GLOBEX_TOKEN } from '../helpers/fake-registry.js'
import { startSampleAws } from '../helpers/sample-aws.js'
import { dataOf, forEachEra, isLatestOrFullHash, revisionRefsSent, textOf, toolHarness } from './harness.js'

forEachEra((t, era) => {
  t.test('package_file_text and package_file_link read the exact object version a package points at', async (t) => {
    const tenants = demoTenants()
    const credentials = new SampleCredentials()
    const { s3 } = await startSampleAws(t, tenants, [credentials])
    const h = await toolHarness(t, { era, tenants, credentials, s3Endpoint: s3.url })
    const args = { bucket: 'quilt-example', package_name: 'examples/wellplates', path: 'data/summary.csv' }
    const text = await h.call('package_file_text', { ...args, max_bytes: 100 })
    t.notOk(text.isError, textOf(text))
    t.ok(dataOf<{ text: string }>(text).text.startsWith('plate,well'))
    const latest = tenants[ACME_TOKEN]!.packages.find((p) => p.name === 'examples/wellplates')!.revisions[0]!
    const version = new URL(latest.entries.find((e) => e.logicalKey === 'data/summary.csv')!.physicalKey).searchParams.get('versionId')
    t.ok(s3.requests.some((r) => r.method === 'GET' && r.key === 'examples/wellplates/data/summary.csv' && r.versionId === version), 'the GET carried the entry\'s versionId')

    const oldest = tenants[ACME_TOKEN]!.packages.find((p) => p.name === 'examples/wellplates')!.revisions.at(-1)!
    const old = await h.call('package_file_link', { ...args, path: 'README.md', hash: oldest.hash.slice(0, 10), expires_in: 120 })
    t.notOk(old.isError, textOf(old))
    const url = new URL(dataOf<{ url: string }>(old).url)
    t.equal(url.searchParams.get('versionId'), new URL(oldest.entries.find((e) => e.logicalKey === 'README.md')!.physicalKey).searchParams.get('versionId'), 'the old revision\'s version is linked')
    t.equal((await fetch(url)).status, 200)
    t.equal(dataOf(old).hash, oldest.hash, 'the 10-character prefix was resolved to the oldest revision')

    const middle = tenants[ACME_TOKEN]!.packages.find((p) => p.name === 'examples/wellplates')!.revisions[1]!
    const byPrefix = await h.call('package_file_text', { ...args, path: 'README.md', hash: middle.hash.slice(0, 6) })
    t.notOk(byPrefix.isError, textOf(byPrefix))
    t.equal(dataOf(byPrefix).hash, middle.hash, 'a 6-character prefix is resolved to its revision')
    const sent = revisionRefsSent(h)
    t.ok(sent.every(isLatestOrFullHash), `only "latest" or full hashes reach revision(): ${sent.join(', ')}`)
    t.ok(h.registry.requests.some((r) => r.operationName === 'PackageRevisions'), 'the prefixes were looked up in the revision list')
    t.match(textOf(await h.call('package_file_link', { ...args, hash: 'abcdef123456' })), /No revision of examples\/wellplates .* hash starting with "abcdef123456"/)

    const binary = await h.call('package_file_text', { ...args, path: 'data/raw/plate1/img_001.tif' })
    t.equal(dataOf(binary).kind, 'binary')
    const missing = await h.call('package_file_text', { ...args, path: 'data/nope.csv' })
    t.match(textOf(missing), /There is no file "data\/nope\.csv"/)
    const noPackage = await h.call('package_file_link', { ...args, package_name: 'examples/nope' })
    t.match(textOf(noPackage), /was not found/)
    const denied = await h.call('package_file_text', { bucket: 'globex-genomics', package_name: 'genomics/variant-calls', path: 'calls.vcf.gz' }, GLOBEX_TOKEN)
    t.notOk(denied.isError, 'globex reads its own package')
    credentials.issueStale = true
    credentials.expireAll()
    t.match(textOf(await h.call('package_file_text', args)), /expired, also after fetching fresh ones/)
    credentials.refuse = 401
    credentials.expireAll()
    t.match(textOf(await h.call('package_file_link', args)), /Sign in to the catalog again/)
  })

  t.test('package_promote sends a full hash and explains InvalidSuccessor', async (t) => {
    const h = await toolHarness(t, { era })
    const ok = await h.call('package_promote', { bucket: 'quilt-example', package_name: 'examples/wellplates', dest_bucket: 's3://cellpainting-data' })
    t.notOk(ok.isError, textOf(ok))
    t.equal(dataOf(ok).bucket, 'cellpainting-data')
    const promote = h.registry.requests.find((r) => r.operationName === 'PackagePromote')
    const src = promote?.variables?.src as { hash: string }
    t.match(src.hash, /^[0-9a-f]{64}$/, 'a full hash is sent')
    t.match((promote?.variables?.params as { message: string }).message, /^Promoted from s3:\/\/quilt-example\/examples\/wellplates@/)
    const pkg = h.registry.tenants[ACME_TOKEN]!.packages.find((p) => p.bucket === 'cellpainting-data' && p.name === 'examples/wellplates')
    t.equal(pkg?.revisions[0]?.hash, dataOf(ok).hash, 'the destination has the new revision')

    const refused = await h.call('package_promote', { bucket: 'quilt-example', package_name: 'examples/wellplates', dest_bucket: 'acme-archive', dest_name: 'archive/plates' })
    t.ok(refused.isError)
    t.match(textOf(refused), /the source bucket's workflow config does not list this destination/)
    const missing = await h.call('package_promote', { bucket: 'quilt-example', package_name: 'examples/nope', dest_bucket: 'acme-archive' })
    t.match(textOf(missing), /was not found/)

    const oldest = h.registry.tenants[ACME_TOKEN]!.packages.find((p) => p.bucket === 'quilt-example' && p.name === 'examples/wellplates')!.revisions.at(-1)!
    const byPrefix = await h.call('package_promote', { bucket: 'quilt-example', package_name: 'examples/wellplates', hash: oldest.hash.slice(0, 8), dest_bucket: 'cellpainting-data', dest_name: 'examples/oldest' })
    t.notOk(byPrefix.isError, textOf(byPrefix))
    t.match(dataOf(byPrefix), { source: { hash: oldest.hash }, package_name: 'examples/oldest' })
    const promotedSources = h.registry.requests.filter((r) => r.operationName === 'PackagePromote').map((r) => (r.variables?.src as { hash: string }).hash)
    t.equal(promotedSources.at(-1), oldest.hash, 'packagePromote received the full hash the prefix names')
    const sent = revisionRefsSent(h)
    t.ok(sent.every(isLatestOrFullHash), `only "latest" or full hashes reach revision(): ${sent.join(', ')}`)
  })
})

t.test('two users on two stacks, interleaved: no object, link or credential crosses', async (t) => {
  const acmeTenants = demoTenants()
  const globexTenants = demoTenants()
  const acmeCredentials = new SampleCredentials()
  const globexCredentials = new SampleCredentials()
  // One S3 serves both stacks' buckets, as one AWS partition would; each stack issues its own credentials.
  const { s3 } = await startSampleAws(t, acmeTenants, [acmeCredentials, globexCredentials])
  const acme = await toolHarness(t, { tenants: acmeTenants, credentials: acmeCredentials, s3Endpoint: s3.url })
  const globex = await toolHarness(t, { tenants: globexTenants, credentials: globexCredentials, s3Endpoint: s3.url, catalogToken: GLOBEX_TOKEN })
  const acmeFile = 's3://quilt-example/examples/wellplates/README.md'
  const globexFile = 's3://globex-public/public/reference-genomes/GRCh38/README.txt'
  const results = await Promise.all([
    acme.call('bucket_object_text', { s3_uri: acmeFile }),
    globex.call('bucket_object_text', { s3_uri: globexFile }),
    acme.call('bucket_object_link', { s3_uri: acmeFile }),
    globex.call('bucket_object_link', { s3_uri: globexFile }),
    acme.call('bucket_object_text', { s3_uri: globexFile }),
    globex.call('bucket_object_text', { s3_uri: acmeFile })
  ])
  const [acmeText, globexText, acmeLink, globexLink, acmeCross, globexCross] = results
  t.match(dataOf(acmeText!).text, /examples\/wellplates\/README\.md/)
  t.match(dataOf(globexText!).text, /GRCh38\/README\.txt/)
  t.ok(acmeCross!.isError && globexCross!.isError, 'neither reads the other\'s bucket')
  t.match(textOf(acmeCross!), /Access denied/)
  const [acmeKey] = acmeCredentials.issued
  const [globexKey] = globexCredentials.issued
  t.equal(acmeCredentials.issued.length, 1)
  t.equal(globexCredentials.issued.length, 1)
  t.same(acmeCredentials.calls, [ACME_TOKEN], 'stack A was asked once, with user A\'s token')
  t.same(globexCredentials.calls, [GLOBEX_TOKEN])
  t.match(dataOf<{ url: string }>(acmeLink!).url, acmeKey!.accessKeyId)
  t.notMatch(dataOf<{ url: string }>(acmeLink!).url, globexKey!.accessKeyId)
  t.match(dataOf<{ url: string }>(globexLink!).url, globexKey!.accessKeyId)
  const redirected = dataOf<{ url: string }>(acmeLink!).url.replace('/quilt-example/examples/wellplates/README.md', '/globex-public/index.html')
  t.equal((await fetch(redirected)).status, 403, 'user A\'s link cannot be turned into one for user B\'s bucket')
  for (const request of s3.requests.filter((r) => r.refused === null)) {
    const owner = request.accessKeyId === acmeKey!.accessKeyId ? acmeKey! : globexKey!
    t.ok(request.bucket === null || owner.buckets.has(request.bucket), `${request.method} ${request.bucket ?? ''} served with its owner's key`)
  }
  t.equal(acme.data.credentials.size + globex.data.credentials.size, 2, 'one cached credential set per user and stack')
})
