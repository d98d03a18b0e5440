import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import t, { type Test } from 'tap'
import { CredentialsCache } from '../../src/data/credentials.js'
import { closedPortUrl } from '../helpers/ports.js'
import { tenantFor } from '../tools/harness.js'

/** A registry whose credentials endpoint answers whatever the test sets, counting calls per bearer. */
async function credentialsEndpoint (t: Test) {
  const state = { status: 200, body: '', delayMs: 0, bearers: [] as string[] }
  const server = createServer((req, res) => {
    state.bearers.push(req.headers.authorization ?? '')
    setTimeout(() => {
      res.writeHead(state.status, { 'content-type': 'application/json' })
      res.end(state.body)
    }, state.delayMs)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()) }))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, state }
}

const valid = (key: string) => JSON.stringify({ AccessKeyId: key, SecretAccessKey: 'secret', SessionToken: 'token', Expiration: new Date(Date.now() + 3600_000).toISOString() })

t.test('per user and stack, one fetch at a time, cached, invalidated only for the rejected set', async (t) => {
  const { url, state } = await credentialsEndpoint(t)
  const cache = new CredentialsCache({ timeoutMs: 2000 })
  state.body = valid('AKID1')
  state.delayMs = 50
  const alice = tenantFor(url, 'alice-token')
  const bob = tenantFor(url, 'bob-token')
  const [a1, a2, b1] = await Promise.all([cache.get(alice), cache.get(alice), cache.get(bob)])
  t.equal(a1, a2, 'concurrent calls share one fetch')
  t.not(a1, b1, 'another user gets their own')
  t.same(state.bearers, ['Bearer alice-token', 'Bearer bob-token'])
  await cache.get(alice)
  t.equal(state.bearers.length, 2, 'served from the cache')
  state.body = valid('AKID2')
  cache.invalidate(alice, { ...a1, accessKeyId: 'AKID-OLDER' })
  await cache.get(alice)
  t.equal(state.bearers.length, 2, 'a stale rejection does not drop fresher credentials')
  cache.invalidate(alice, a1)
  t.equal((await cache.get(alice)).accessKeyId, 'AKID2', 'the rejected set is replaced')
  t.equal(cache.size, 2)
})

t.test('odd answers become clear errors that name no secret', async (t) => {
  const { url, state } = await credentialsEndpoint(t)
  const cache = new CredentialsCache({ timeoutMs: 300 })
  const tenant = tenantFor(url, 'alice-token')
  state.body = JSON.stringify({ AccessKeyId: 'AKIDX', SecretAccessKey: 'very-secret', Expiration: 'soon' })
  const shape = await cache.get(tenant).catch((err: Error) => err.message)
  t.match(shape, /unexpected shape \(SessionToken, Expiration\)/)
  t.notMatch(shape, /very-secret|AKIDX/)
  state.body = '<html>'
  t.match(await cache.get(tenant).catch((err: Error) => err.message), /unexpected shape \(body\)/)
  state.status = 500
  t.match(await cache.get(tenant).catch((err: Error) => err.message), /answered HTTP 500/)
  state.status = 401
  t.match(await cache.get(tenant).catch((err: Error) => err.message), /Sign in to the catalog again/)
  state.status = 200
  state.body = valid('AKID')
  state.delayMs = 1000
  t.match(await cache.get(tenant).catch((err: Error) => err.message), /did not issue data-access credentials within 300 ms/)
  const unreachable = tenantFor(await closedPortUrl(), 'alice-token')
  t.match(await cache.get(unreachable).catch((err: Error) => err.message), /Could not reach the Quilt catalog/)
  const controller = new AbortController()
  const pending = cache.get(tenant, controller.signal)
  controller.abort()
  t.match(await pending.catch((err: Error) => err.message), /client went away/)
})
