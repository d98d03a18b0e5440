import t from 'tap'
import { MemoryBudgetStore, TenantBudget } from '../../src/limits/tenant-budget.js'
import { SlotRefusedError, TenantSlots } from '../../src/limits/tenant-slots.js'

t.test('slots: the cap, first come first served, aborted waiters leave, idle tenants are forgotten', async (t) => {
  const slots = new TenantSlots(1, 2)
  const signal = new AbortController().signal
  const releaseFirst = await slots.acquire('a', signal)
  const order: string[] = []
  const second = slots.acquire('a', signal).then((release) => { order.push('second'); return release })
  const cancelled = new AbortController()
  const third = slots.acquire('a', cancelled.signal)
  t.ok(slots.isFull('a'), 'one running, two waiting: full')
  await t.rejects(slots.acquire('a', signal), SlotRefusedError, 'a fourth call is refused at once')
  t.notOk(slots.isFull('b'), 'another tenant has its own slots')
  const releaseOther = await slots.acquire('b', signal)
  cancelled.abort(new Error('client cancelled'))
  await t.rejects(third, { message: 'client cancelled' }, 'an aborted waiter is refused with its reason')
  t.notOk(slots.isFull('a'), 'and leaves the waiting room')
  releaseFirst()
  releaseFirst()
  const releaseSecond = await second
  t.same(order, ['second'], 'the next waiter gets the freed slot')
  releaseSecond()
  releaseOther()
  t.equal(slots.activeTenants, 0, 'idle tenants are dropped')
})

t.test('budget: a fixed window per tenant, charged by cost, refused past the limit until it ends', async (t) => {
  const budget = new TenantBudget({ max: 5, windowMs: 200, store: new MemoryBudgetStore() })
  t.match(await budget.spend('a', 3), { allowed: true, remaining: 2, limit: 5 })
  t.match(await budget.spend('a', 3), { allowed: false, remaining: 0 })
  t.match(await budget.spend('b', 5), { allowed: true, remaining: 0 }, 'tenants are counted apart')
  await new Promise((resolve) => setTimeout(resolve, 250))
  t.match(await budget.spend('a', 1), { allowed: true, remaining: 4 }, 'a new window starts afresh')
})
