import t from 'tap'
import { startFakeSsm } from '../helpers/fake-ssm.js'
import { buildTestApp } from '../helpers/app.js'
import { signToken, TEST_SECRET } from '../helpers/tokens.js'
import type { Config } from '../../src/config/config.js'

const ssmConfig: Partial<Config> = { secretSource: { kind: 'ssm', parameter: '/quilt/mcp/jwt-secret', region: 'us-east-1' } }
const toolsList = { jsonrpc: '2.0', id: 1, method: 'tools/list' }

async function call (app: Awaited<ReturnType<typeof buildTestApp>>['app'], token: string) {
  return app.inject({ method: 'POST', url: '/mcp', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload: toolsList })
}

async function eventually (predicate: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time')
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

t.test('a secret stored with a trailing newline verifies tokens signed with the trimmed secret', async (t) => {
  const ssm = await startFakeSsm(t, `${TEST_SECRET}\n`)
  const { app } = await buildTestApp(t, ssmConfig)
  await app.ready()
  t.same(ssm.lastRequest, { name: '/quilt/mcp/jwt-secret', withDecryption: true }, 'reads the named parameter with decryption')
  const res = await call(app, signToken())
  t.equal(res.statusCode, 200)
  t.ok(res.json().result.tools.length > 0)
})

t.test('a flood of bad tokens never reaches SSM', async (t) => {
  const ssm = await startFakeSsm(t, TEST_SECRET)
  const { app } = await buildTestApp(t, ssmConfig)
  await app.ready()
  const before = ssm.calls
  const answers = await Promise.all(Array.from({ length: 300 }, (_, i) => call(app, signToken({ sub: `u${i}` }, { secret: `wrong-secret-${i}-0123456789-0123456789` }))))
  t.ok(answers.every((res) => res.statusCode === 401 && res.json().error.data.reason === 'invalid_signature'))
  t.equal(ssm.calls, before, 'no SSM call per request')
})

t.test('rotation: the previous secret stays valid until the next refresh', async (t) => {
  const ssm = await startFakeSsm(t, TEST_SECRET)
  const { app } = await buildTestApp(t, ssmConfig)
  await app.ready()
  const oldToken = signToken()
  const newSecret = 'rotated-secret-abcdefghijklmnopqrstuvwxyz-0123'
  ssm.value = newSecret
  await app.secrets.refresh()
  t.equal((await call(app, signToken({}, { secret: newSecret }))).statusCode, 200, 'new secret accepted')
  t.equal((await call(app, oldToken)).statusCode, 200, 'old secret still accepted right after rotation')
  await app.secrets.refresh()
  const res = await call(app, oldToken)
  t.equal(res.statusCode, 401, 'old secret refused after the next refresh')
  t.equal(res.json().error.data.reason, 'invalid_signature')
})

t.test('SSM down at start: 503 with Retry-After until the secret loads, then served', async (t) => {
  const ssm = await startFakeSsm(t, TEST_SECRET)
  ssm.mode = 'error'
  const { app, logs } = await buildTestApp(t, ssmConfig)
  await app.ready()
  const ready = await app.inject('/readyz')
  t.equal(ready.statusCode, 503)
  t.equal(ready.headers['retry-after'], '5')
  const res = await call(app, signToken())
  t.equal(res.statusCode, 503)
  t.equal(res.headers['retry-after'], '5')
  t.equal(res.json().error.data.reason, 'secret_unavailable')
  t.equal((await app.inject('/healthz')).statusCode, 200, 'the process is alive meanwhile')
  const callsWhileDown = ssm.calls
  await call(app, signToken())
  t.equal(ssm.calls, callsWhileDown, 'a request while down does not call SSM either')

  ssm.mode = 'ok'
  await eventually(() => app.secrets.ready)
  t.equal((await app.inject('/readyz')).statusCode, 200)
  t.equal((await call(app, signToken())).statusCode, 200)
  t.ok(logs.entries.some((e) => e.msg === 'JWT secret could not be loaded; requests get 503 until it is'), 'the outage is logged')
})

t.test('SSM failing during a refresh keeps the last good secret', async (t) => {
  const ssm = await startFakeSsm(t, TEST_SECRET)
  const { app, logs } = await buildTestApp(t, ssmConfig)
  await app.ready()
  for (const mode of ['error', 'throttle', 'missing'] as const) {
    ssm.mode = mode
    await t.rejects(app.secrets.refresh(), `refresh fails on ${mode}`)
    t.equal((await call(app, signToken())).statusCode, 200, `still serving after ${mode}`)
  }
  t.notOk(logs.text.includes(TEST_SECRET), 'the secret is never logged')
})

t.test('concurrent refreshes share one SSM call', async (t) => {
  const ssm = await startFakeSsm(t, TEST_SECRET)
  const { app } = await buildTestApp(t, ssmConfig)
  await app.ready()
  const before = ssm.calls
  await Promise.all([app.secrets.refresh(), app.secrets.refresh(), app.secrets.refresh()])
  t.equal(ssm.calls - before, 1)
})

t.test('a secret in SSM shorter than 32 bytes is refused and reported', async (t) => {
  await startFakeSsm(t, 'short\n')
  const { app, logs } = await buildTestApp(t, ssmConfig)
  await app.ready()
  t.notOk(app.secrets.ready)
  t.ok(logs.entries.some((e) => typeof e.failure === 'string' && e.failure.includes('at least 32 bytes')))
})
