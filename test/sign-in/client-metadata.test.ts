import t from 'tap'
import { guardedClientMetadataFetch, isPublicAddress, MAX_DOCUMENT_BYTES } from '../../src/sign-in/client-metadata-fetch.js'
import { ACME_TOKEN } from '../../packages/sample-stack/src/data.js'
import { startSampleRegistry } from '../../packages/sample-stack/src/server.js'
import type { Stack } from '../../src/config/stacks.js'
import { startGateway } from '../helpers/app.js'
import { consent, openConsentPage, pkce, REDIRECT_URI, tokenRequest } from '../helpers/sign-in.js'

// Client ID metadata documents: a client_id that is an https URL names its own registration.

const registry = await startSampleRegistry()
t.teardown(() => registry.close())
const stack: Stack = { name: 'QUILT_REGISTRY_URL', hosts: [], registryUrl: registry.url }
const CLIENT_ID = 'https://host.example/oauth/client.json'
const fetched: string[] = []
// The happy path needs a public https host; the fetch is replaced here (tests only), never the guard's rules.
const withDocument = await startGateway(t, { stacks: [stack], maxEventLoopDelayMs: 0 }, {
  signIn: {
    fetchClientMetadata: async (url) => {
      fetched.push(url.href)
      return { client_id: url.href, client_name: 'Example <Host>', redirect_uris: [REDIRECT_URI] }
    }
  }
})
const guarded = await startGateway(t, { stacks: [stack], maxEventLoopDelayMs: 0 })

const authorizeUrl = (base: string, clientId: string, challenge: string) =>
  `${base}/mcp/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: REDIRECT_URI, code_challenge: challenge, code_challenge_method: 'S256', state: 's' })}`

t.test('a client named by its metadata document signs in without registering; the document is cached', async (t) => {
  const metadata = await (await fetch(`${withDocument.url}/.well-known/oauth-authorization-server/mcp/oauth`)).json()
  t.match(metadata, { client_id_metadata_document_supported: true, code_challenge_methods_supported: ['S256'], authorization_response_iss_parameter_supported: true })
  const { verifier, challenge } = pkce()
  const page = await openConsentPage(authorizeUrl(withDocument.url, CLIENT_ID, challenge))
  t.equal(page.status, 200)
  t.match(page.html, /Example &lt;Host&gt;/, 'the client\'s name, escaped')
  const back = await consent(authorizeUrl(withDocument.url, CLIENT_ID, challenge), registry.logins.issueCode(ACME_TOKEN))
  const answer = await tokenRequest(withDocument.url, { grant_type: 'authorization_code', code: back.get('code')!, code_verifier: verifier, client_id: CLIENT_ID, redirect_uri: REDIRECT_URI })
  t.equal(answer.status, 200)
  t.same(fetched, [CLIENT_ID], 'fetched once for three uses')
})

t.test('a document on a private, loopback or link-local address is refused, quickly', async (t) => {
  for (const clientId of ['https://127.0.0.1/client.json', 'https://localhost/client.json', 'https://[::1]/c.json', 'https://169.254.169.254/latest/meta-data', 'https://10.1.2.3/c.json']) {
    const started = performance.now()
    const page = await openConsentPage(authorizeUrl(guarded.url, clientId, pkce().challenge))
    const ms = performance.now() - started
    t.equal(page.status, 400, clientId)
    t.match(page.html, /private, loopback or link-local/)
    t.ok(ms < 2000, `answered in ${ms.toFixed(0)} ms`)
  }
})

t.test('the guard judges every resolved address and keeps documents small', async (t) => {
  for (const address of ['10.0.0.1', '172.16.5.4', '192.168.1.1', '127.0.0.1', '169.254.169.254', '100.64.0.1', '0.0.0.0', '::1', 'fe80::1', 'fd00::1', '::ffff:10.0.0.1', '::ffff:7f00:1', '224.0.0.1']) {
    t.notOk(isPublicAddress(address), `${address} is not public`)
  }
  for (const address of ['93.184.216.34', '2606:2800:220:1:248:1893:25c8:1946', '::ffff:93.184.216.34']) t.ok(isPublicAddress(address), `${address} is public`)
  // A name with one public and one private answer is refused as a whole (the client could pick either).
  const mixed = guardedClientMetadataFetch(async () => [{ address: '93.184.216.34', family: 4 }, { address: '10.0.0.7', family: 4 }])
  await t.rejects(mixed(new URL('https://mixed.example/c.json')), /private/)
  await t.rejects(guardedClientMetadataFetch()(new URL('http://host.example/c.json')), /https/)
  t.ok(MAX_DOCUMENT_BYTES <= 16 * 1024)
})
