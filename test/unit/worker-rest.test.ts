import { describe, expect, it } from 'vitest'
import { createRest } from '../../api/services/shared/listen.ts'

/** How long `promise` took, in ms. */
async function took(promise: Promise<void>) {
  const started = performance.now()
  await promise
  return performance.now() - started
}

describe("a worker's rest between passes", () => {
  it('ends when a notification comes, or at once for one that came during the pass', async () => {
    const rest = createRest()
    rest.passStarted()
    const waiting = rest.wait(5_000)
    setTimeout(rest.notify, 20)
    expect(await took(waiting)).toBeLessThan(1_000)

    rest.passStarted()
    rest.notify()
    expect(await took(rest.wait(5_000))).toBeLessThan(500)
    // The next pass found that work: its rest lasts again.
    rest.passStarted()
    expect(await took(rest.wait(60))).toBeGreaterThanOrEqual(55)
  })

  it('lets a gathering rest run its course whatever is notified, but not past stop', async () => {
    const rest = createRest()
    rest.passStarted()
    const gathering = rest.wait(150, false)
    setTimeout(rest.notify, 10)
    expect(await took(gathering)).toBeGreaterThanOrEqual(140)

    const stopped = rest.wait(5_000, false)
    setTimeout(rest.stop, 20)
    expect(await took(stopped)).toBeLessThan(1_000)
    expect(await took(rest.wait(5_000))).toBeLessThan(500)
  })
})
