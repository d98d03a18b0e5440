import t from 'tap'
import { ACME_TOKEN } from '../../packages/sample-stack/src/data.js'
import { startSampleRegistry } from '../../packages/sample-stack/src/server.js'

// quilt3's login as the sample registry serves it, as the real one does: one-time codes that expire,
// POST /api/token redeeming codes and refresh tokens, sessions that expire.

const registry = await startSampleRegistry()
t.teardown(() => registry.close())
const redeem = async (refreshToken: string) => {
  const response = await fetch(`${registry.url}/api/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ refresh_token: refreshToken }).toString() })
  return { status: response.status, body: await response.json() as { access_token: string, refresh_token: string, expires_at: number, error?: string } }
}
const me = async (bearer: string) => (await fetch(`${registry.url}/graphql`, { method: 'POST', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: JSON.stringify({ query: 'query Me { me { name } }' }) })).status

t.test('a code works once; its session acts as the user; the refresh token rotates; sessions expire', async (t) => {
  const code = registry.logins.issueCode(ACME_TOKEN)
  const first = await redeem(code)
  t.equal(first.status, 200)
  t.ok(first.body.expires_at > Date.now() / 1000)
  t.equal(await me(first.body.access_token), 200, 'the session is a bearer the registry takes')
  t.match(await redeem(code), { status: 401, body: { error: String } }, 'a code is single-use')
  const renewed = await redeem(first.body.refresh_token)
  t.equal(renewed.status, 200)
  t.equal((await redeem(first.body.refresh_token)).status, 401, 'a refresh token is spent by its use')
  registry.logins.expireSessions()
  t.equal(await me(renewed.body.access_token), 401, 'an expired session is refused')
  t.equal((await redeem(renewed.body.refresh_token)).status, 200, 'and renewed with its refresh token')
})

t.test('codes expire', async (t) => {
  registry.logins.codeLifetimeSeconds = -1
  const code = registry.logins.issueCode(ACME_TOKEN)
  registry.logins.codeLifetimeSeconds = 600
  t.equal((await redeem(code)).status, 401)
})
