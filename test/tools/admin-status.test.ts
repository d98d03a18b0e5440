import t from 'tap'
import type { RegistryClient } from '../../src/platform/registry-client.js'
import type { Tenant } from '../../src/platform/tenant.js'
import { AdminStatusCache } from '../../src/tools/admin-status.js'

/** A registry that answers `me` as told and counts the calls (the edge of this unit). */
function registry (answer: () => Promise<unknown>) {
  let calls = 0
  const client = { execute: async () => { calls++; return await answer() }, capabilities: async () => { throw new Error('unused') } } as unknown as RegistryClient
  return { client, calls: () => calls }
}

const caller = (key: string, client: RegistryClient) => ({ tenant: { key } as Tenant, registry: client, signal: new AbortController().signal })

t.test('learnt once per caller while fresh; a registry that cannot say means "not an admin" and is asked again', async (t) => {
  const cache = new AdminStatusCache(2, 60_000)
  const admin = registry(async () => ({ me: { isAdmin: true } }))
  const [a, b] = await Promise.all([cache.isAdmin(caller('u1', admin.client)), cache.isAdmin(caller('u1', admin.client))])
  t.same([a, b, admin.calls()], [true, true, 1], 'concurrent asks share one registry call')

  const down = registry(async () => { throw new Error('registry down') })
  t.equal(await cache.isAdmin(caller('u2', down.client)), false)
  t.equal(await cache.isAdmin(caller('u2', down.client)), false)
  t.equal(down.calls(), 2, 'a failure is not remembered')

  const anonymous = registry(async () => ({ me: null }))
  t.equal(await cache.isAdmin(caller('u3', anonymous.client)), false)
  await cache.isAdmin(caller('u4', anonymous.client))
  t.equal(await cache.isAdmin(caller('u1', admin.client)), true)
  t.equal(admin.calls(), 2, 'bounded: the oldest caller was dropped and is asked again')
})

t.test('an answer expires after its time to live', async (t) => {
  const cache = new AdminStatusCache(10, 1)
  let isAdmin = true
  const changing = registry(async () => ({ me: { isAdmin } }))
  t.equal(await cache.isAdmin(caller('u1', changing.client)), true)
  isAdmin = false
  await new Promise((resolve) => setTimeout(resolve, 20))
  t.equal(await cache.isAdmin(caller('u1', changing.client)), false, 'a revoked admin loses the tools once the entry expires')
})
