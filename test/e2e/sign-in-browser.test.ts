import { createServer, type IncomingMessage } from 'node:http'
import type { AddressInfo } from 'node:net'
import { chromium, type Browser } from 'playwright-core'
import t from 'tap'
import { ACME_TOKEN } from '../../packages/sample-stack/src/data.js'
import { startSampleRegistry } from '../../packages/sample-stack/src/server.js'
import type { Stack } from '../../src/config/stacks.js'
import { startGateway } from '../helpers/app.js'
import { pkce, registerClient, tokenRequest } from '../helpers/sign-in.js'

// The consent page in a real Chromium, with JavaScript off: the form works, errors show on the page,
// and another site cannot frame it.

const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium'
const registry = await startSampleRegistry()
t.teardown(() => registry.close())
const stack: Stack = { name: 'QUILT_REGISTRY_URL', hosts: [], registryUrl: registry.url, catalogUrl: 'https://catalog.example.com' }
const gateway = await startGateway(t, { stacks: [stack], maxEventLoopDelayMs: 0 })

/** A host's redirect listener (and, for the framing check, another site's page). */
const arrivals: URL[] = []
const host = createServer((req: IncomingMessage, res) => {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1')
  if (url.pathname === '/callback') arrivals.push(url)
  const body = url.pathname === '/framer' ? `<iframe id="f" src="${url.searchParams.get('src') ?? ''}" width="600" height="400"></iframe>` : '<p>Signed in; you may close this window.</p>'
  res.writeHead(200, { 'content-type': 'text/html' }).end(body)
})
await new Promise<void>((resolve) => host.listen(0, '127.0.0.1', resolve))
t.teardown(() => new Promise<void>((resolve) => { host.closeAllConnections(); host.close(() => resolve()) }))
const hostUrl = `http://127.0.0.1:${(host.address() as AddressInfo).port}`
const redirectUri = `${hostUrl}/callback`

t.test('sign in with the form, JavaScript off; a wrong code is shown on the page; no framing', async (t) => {
  const clientId = await registerClient(gateway.url, { client_name: 'Browser <test> host', redirect_uris: [redirectUri] })
  const { verifier, challenge } = pkce()
  const authorize = `${gateway.url}/mcp/oauth/authorize?${new URLSearchParams({ response_type: 'code', client_id: clientId, redirect_uri: redirectUri, code_challenge: challenge, code_challenge_method: 'S256', state: 'xyz' })}`
  let browser: Browser | undefined
  // Closed here, before the gateway's teardown: a browser holding keep-alive connections would slow its close.
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
    const context = await browser.newContext({ javaScriptEnabled: false })
    const page = await context.newPage()
    await page.goto(authorize)
    t.match(await page.textContent('body'), /Browser <test> host asks to use the Quilt catalog/, 'the client\'s name, shown as text')
    t.equal(await page.getAttribute('a[href$="/code"]', 'href'), 'https://catalog.example.com/code', 'the catalog\'s code page is linked')

    await page.fill('#credential', 'wrong-code')
    await page.click('button[value=allow]')
    t.match(await page.textContent('#error'), /wrong, expired or already used/, 'the error is on the page')
    t.equal(arrivals.length, 0, 'nothing went back to the host')

    await page.fill('#credential', registry.logins.issueCode(ACME_TOKEN))
    await page.uncheck('input[name=write]')
    await page.click('button[value=allow]')
    await page.waitForURL(`${redirectUri}?**`)
    const back = arrivals.at(-1)!
    t.equal(back.searchParams.get('state'), 'xyz')
    t.equal(back.searchParams.get('iss'), `${gateway.url}/mcp/oauth`)
    const answer = await tokenRequest(gateway.url, { grant_type: 'authorization_code', code: back.searchParams.get('code')!, code_verifier: verifier, client_id: clientId, redirect_uri: redirectUri })
    t.match(answer, { status: 200, body: { scope: 'quilt:read' } }, 'unticking "Allow changes" gave a read-only grant')

    // Another site frames the page: the browser refuses to render it (frame-ancestors 'none', X-Frame-Options).
    const framer = await context.newPage()
    await framer.goto(`${hostUrl}/framer?${new URLSearchParams({ src: authorize })}`)
    await framer.waitForLoadState('load')
    const child = framer.frames().find((frame) => frame !== framer.mainFrame())
    t.ok(child, 'the iframe exists')
    t.equal(await child!.locator('#credential').count(), 0, 'but the consent form is not rendered in it')
  } finally {
    await browser?.close()
  }
})
