import { setTimeout as sleep } from 'node:timers/promises'
import t from 'tap'
import { callDeadline } from '../../src/platform/call-deadline.js'

t.test('the deadline aborts the call with a TimeoutError and says it was the deadline', async (t) => {
  const deadline = callDeadline(20)
  await sleep(60)
  t.ok(deadline.signal.aborted)
  t.ok(deadline.timedOut)
  t.equal((deadline.signal.reason as Error).name, 'TimeoutError')
  deadline.clear()
})

t.test("the caller's abort reaches the call with the caller's reason, not as a timeout", async (t) => {
  const caller = new AbortController()
  const deadline = callDeadline(60_000, caller.signal)
  caller.abort(new Error('client went away'))
  t.ok(deadline.signal.aborted)
  t.notOk(deadline.timedOut)
  t.equal((deadline.signal.reason as Error).message, 'client went away')
  deadline.clear()
})

t.test('a caller already gone aborts the call at once', async (t) => {
  const deadline = callDeadline(60_000, AbortSignal.abort(new Error('gone')))
  t.ok(deadline.signal.aborted)
  t.equal((deadline.signal.reason as Error).message, 'gone')
  deadline.clear()
})

t.test('after clear() neither the deadline nor a later caller abort touches the finished call', async (t) => {
  const caller = new AbortController()
  const deadline = callDeadline(20, caller.signal)
  deadline.clear()
  await sleep(60)
  caller.abort()
  t.notOk(deadline.signal.aborted)
  t.notOk(deadline.timedOut)
})
