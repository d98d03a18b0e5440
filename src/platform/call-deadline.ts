/**
 * A signal that aborts when the caller's does or when `timeoutMs` passes, whichever is first, and
 * `clear()` to release it once the call is done. AbortSignal.timeout + AbortSignal.any would do the
 * same, but their timer and weak references live for the whole timeout (30 s) after the call ends:
 * at a few thousand calls a second that is ~100,000 live signals, and the garbage collection they
 * cost was the largest single item of a registry call's CPU (see README, Performance).
 */
export interface CallDeadline {
  readonly signal: AbortSignal
  /** True when the deadline, not the caller, aborted the signal. */
  readonly timedOut: boolean
  clear: () => void
}

export function callDeadline (timeoutMs: number, caller?: AbortSignal): CallDeadline {
  const controller = new AbortController()
  let timedOut = false
  const timer = setTimeout(() => {
    timedOut = true
    controller.abort(new DOMException(`The operation timed out after ${timeoutMs} ms.`, 'TimeoutError'))
  }, timeoutMs)
  const onCallerAbort = () => { controller.abort(caller?.reason) }
  if (caller?.aborted === true) onCallerAbort()
  else caller?.addEventListener('abort', onCallerAbort, { once: true })
  return {
    signal: controller.signal,
    get timedOut () { return timedOut },
    clear () {
      clearTimeout(timer)
      caller?.removeEventListener('abort', onCallerAbort)
    }
  }
}
