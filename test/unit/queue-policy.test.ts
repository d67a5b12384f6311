import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  afterFailure,
  backoffDelayMs,
  callbackMaxAttempts,
  hotlineCallbackPolicy,
  hotlineInboxPolicy,
  outboxPolicy,
  type QueuePolicy,
} from '../../api/services/shared/queue-policy.ts'

type Schedule = Pick<QueuePolicy, 'backoff' | 'jitter'>

const seconds = (policy: Schedule, failures: number) =>
  Array.from({ length: failures }, (_, i) => backoffDelayMs(policy, i + 1) / 1000)

describe('backoff schedule', () => {
  it('doubles from the first wait and stops at the cap', () => {
    const policy: Schedule = {
      backoff: { kind: 'doubling', firstMs: 1_000, capMs: 10_000 },
      jitter: 0,
    }
    expect(seconds(policy, 6)).toEqual([1, 2, 4, 8, 10, 10])
  })

  it('takes the n-th step after the n-th failure and repeats the last step past the end', () => {
    const policy: Schedule = {
      backoff: { kind: 'steps', delaysMs: [5_000, 60_000, 600_000] },
      jitter: 0,
    }
    expect(seconds(policy, 5)).toEqual([5, 60, 600, 600, 600])
  })

  it('gives the outbox 1 s doubling to 5 min, the inbox 1 s doubling to an hour, the callbacks the Standard Webhooks steps', () => {
    expect(seconds(outboxPolicy, 11)).toEqual([1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300])
    expect(seconds(hotlineInboxPolicy, 14)).toEqual([
      1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 3600, 3600,
    ])
    expect(seconds(hotlineCallbackPolicy, 9)).toEqual([
      5, 300, 1800, 7200, 18_000, 36_000, 50_400, 72_000, 86_400,
    ])
  })

  it('ignores the random source without jitter', () => {
    for (const r of [0, 0.3, 0.999]) {
      expect(backoffDelayMs(outboxPolicy, 4, () => r)).toBe(8_000)
    }
  })

  it('keeps a jittered wait within wait × (1 ± jitter), reaching both ends', () => {
    const policy: Schedule = {
      backoff: { kind: 'doubling', firstMs: 1_000, capMs: 3600_000 },
      jitter: 0.25,
    }
    expect(backoffDelayMs(policy, 3, () => 0)).toBe(3_000)
    expect(backoffDelayMs(policy, 3, () => 0.5)).toBe(4_000)
    expect(backoffDelayMs(policy, 3, () => 0.999_999)).toBe(5_000)
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.double({ min: 0, max: 0.99, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (failures, jitter, r) => {
          const exact = backoffDelayMs({ ...policy, jitter: 0 }, failures)
          const wait = backoffDelayMs({ ...policy, jitter }, failures, () => r)
          expect(Number.isInteger(wait)).toBe(true)
          expect(wait).toBeGreaterThanOrEqual(Math.floor(exact * (1 - jitter)))
          expect(wait).toBeLessThanOrEqual(Math.ceil(exact * (1 + jitter)))
        },
      ),
    )
  })

  it('refuses a failure count below one and a jitter outside [0, 1)', () => {
    expect(() => backoffDelayMs(outboxPolicy, 0)).toThrow(RangeError)
    expect(() => backoffDelayMs(outboxPolicy, 1.5)).toThrow(RangeError)
    expect(() => backoffDelayMs({ ...outboxPolicy, jitter: 1 }, 1)).toThrow(RangeError)
    expect(() => backoffDelayMs({ ...outboxPolicy, jitter: -0.1 }, 1)).toThrow(RangeError)
  })
})

describe('after a failed try', () => {
  it('schedules the next try until the last one, then the row is dead', () => {
    expect(callbackMaxAttempts).toBe(10)
    for (let attempts = 1; attempts < callbackMaxAttempts; attempts++) {
      expect(afterFailure(hotlineCallbackPolicy, attempts)).toEqual({
        dead: false,
        delayMs: backoffDelayMs(hotlineCallbackPolicy, attempts),
      })
    }
    expect(afterFailure(hotlineCallbackPolicy, callbackMaxAttempts)).toEqual({ dead: true })
  })

  it("lets a row's own limit win over the policy's", () => {
    expect(afterFailure(outboxPolicy, 3, 3)).toEqual({ dead: true })
    expect(afterFailure(outboxPolicy, 3)).toEqual({ dead: false, delayMs: 4_000 })
    expect(afterFailure(outboxPolicy, 12)).toEqual({ dead: true })
  })

  it('never gives up a row of a queue without a limit', () => {
    expect(afterFailure(hotlineInboxPolicy, 1_000)).toEqual({ dead: false, delayMs: 3600_000 })
  })
})
