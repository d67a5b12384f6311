import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { decryptField } from '../../api/privacy/pii.ts'
import { queryCodeHash } from '../../api/services/complaints/codes.ts'
import { applyPendingInboxEvents } from '../../api/services/hotline/apply.ts'
import { trackLimitRule } from '../../api/services/complaints/track-limits.ts'
import { clientKey } from '../../api/services/limits/client-key.ts'
import { beijingDate } from '../../api/domain/beijing-time.ts'
import { dispatched, newTicketNo, postEvent } from '../support/hotline-inbound.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { awayFromWindowEdge } from '../support/windows.ts'

/** Tracking numbers a test makes the next draws return, to meet a number already taken. */
const draws = vi.hoisted(() => ({ forced: [] as string[] }))
vi.mock('../../api/services/complaints/codes.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../api/services/complaints/codes.ts')>()
  return {
    ...actual,
    newTrackingNo: (date: string) => draws.forced.shift() ?? actual.newTrackingNo(date),
  }
})

let t: TestContext
let app: ReturnType<typeof createApp>
let behindProxy: ReturnType<typeof createApp>

interface Receipt {
  trackingNo: string
  queryCode: string
}

beforeAll(async () => {
  t = await createTestContext({
    env: { COMPLAINT_LIMIT_PER_ADDRESS: '1000', COMPLAINT_LIMIT_PER_PHONE: '1000' },
  })
  app = createApp(t.deps)
  behindProxy = createApp({ ...t.deps, config: { ...t.deps.config, TRUST_PROXY: true } })
})
afterAll(() => t.cleanup())

let filed = 0
/** Files one anonymous 举报 (each with its own words) and returns its receipt. */
async function file(): Promise<Receipt> {
  filed++
  const res = await app.request(
    '/api/complaints',
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: 'report',
        category: 'short_weight',
        county: '331102',
        merchantName: '城北菜场 3 号摊位',
        address: '莲都区城北菜场 3 号',
        occurredAt: '2026-11-20T09:30',
        description: `查询测试第 ${filed} 份：电子秤显示的重量比复秤多出二两。`,
        consent: true,
      }),
    },
    { clientAddress: '192.0.2.200' },
  )
  expect(res.status).toBe(201)
  return (await res.json()) as Receipt
}

/**
 * A lookup from a client behind the trusted reverse proxy, which names it in X-Forwarded-For
 * (TRUST_PROXY): the address the limits count by.
 */
const askVia = async (trackingNo: string, queryCode: string, from: string) =>
  behindProxy.request('/api/complaints/lookup', {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': `10.0.0.1, ${from}` },
    body: JSON.stringify({ trackingNo, queryCode }),
  })

/** "JL20261206-4827-3915" as a Chinese input method types it: ｊｌ２０２６１２０６４８２７３９１５. */
const asTypedOnAPhone = (printed: string) =>
  Array.from(printed.replaceAll('-', '').toLowerCase(), (ch) =>
    String.fromCharCode(ch.charCodeAt(0) + 0xfee0),
  ).join('')

const ask = async (trackingNo: string, queryCode: string, from: string) =>
  app.request(
    `/api/complaints/${encodeURIComponent(trackingNo)}`,
    { headers: { 'x-query-code': queryCode } },
    { clientAddress: from },
  )

/** Distinct wrong codes, none of them the receipt's. */
const wrongCodes = (n: number, right: string) =>
  Array.from({ length: n }, (_, i) => `WR${String(i).padStart(2, '2')}-ZZZZ`).filter(
    (c) => c !== right,
  )

const hitsOf = async (bucket: string) => {
  const rows = await t.deps.db
    .selectFrom('rateLimitHits')
    .select('hits')
    .where('bucket', '=', bucket)
    .execute()
  return rows.reduce((sum, r) => sum + r.hits, 0)
}

// Tries that must share an hour's window wait for the next one when the hour is almost over (up
// to 90 s): the timeout, read as the tests are collected, covers that wait as well as the test.
vi.setConfig({ testTimeout: 180_000 })

describe('query-code lookups: guessing stays infeasible, the holder is never locked out', () => {
  const rule = trackLimitRule

  it('checks exactly five of 50 simultaneous wrong codes from one address and refuses the rest', async () => {
    const receipt = await file()
    const stranger = '198.51.100.66'
    await awayFromWindowEdge(3600, 60_000)
    await awayFromWindowEdge(60, 20_000)

    const answers = await Promise.all(
      wrongCodes(50, receipt.queryCode).map((code) => askVia(receipt.trackingNo, code, stranger)),
    )
    const statuses = answers.map((r) => r.status)
    expect(statuses).toHaveLength(50)
    // A 404 is a code that was checked and was wrong; a 429 was refused before any check.
    expect(statuses.filter((s) => s === 404)).toHaveLength(rule.perAddressAndCase)
    expect(statuses.filter((s) => s === 429)).toHaveLength(50 - rule.perAddressAndCase)
    for (const refused of answers.filter((r) => r.status === 429)) {
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe(
        'RATE_LIMITED',
      )
    }
    // Every try was counted, the refused ones included, under the address's keyed hash.
    const strangerKey = clientKey(t.deps.privacy.hashKey, stranger)!
    expect(await hitsOf(`track:pair:${strangerKey}:${receipt.trackingNo}`)).toBe(50)
    expect(await hitsOf(`track:case:${receipt.trackingNo}`)).toBe(50)
  })

  it('answers the right code from another address after five wrong ones', async () => {
    const receipt = await file()
    const stranger = '198.51.100.67'
    await awayFromWindowEdge(3600, 30_000)
    await awayFromWindowEdge(60, 10_000)
    for (const code of wrongCodes(5, receipt.queryCode)) {
      expect((await askVia(receipt.trackingNo, code, stranger)).status).toBe(404)
    }
    // The stranger is now limited on this case...
    expect((await askVia(receipt.trackingNo, 'WRZZ-ZZZZ', stranger)).status).toBe(429)
    // ...and the resident, typing the right code full-width, lower case and without the hyphen
    // into a number typed the same way, is answered at once.
    const started = Date.now()
    const resident = await askVia(
      asTypedOnAPhone(receipt.trackingNo),
      asTypedOnAPhone(receipt.queryCode),
      '203.0.113.5',
    )
    expect(resident.status).toBe(200)
    expect(Date.now() - started).toBeLessThan(rule.crowdedDelayMs)
    expect(((await resident.json()) as { trackingNo: string }).trackingNo).toBe(receipt.trackingNo)
  })

  it('makes a resident who mistyped five times wait at most a minute, then answers the right code', async () => {
    const receipt = await file()
    const home = '203.0.113.8'
    // The clock is moved on by the wait (at most a minute) within the same hour's window.
    await awayFromWindowEdge(3600, 90_000)
    await awayFromWindowEdge(60, 10_000)
    for (const code of wrongCodes(5, receipt.queryCode)) {
      expect((await askVia(receipt.trackingNo, code, home)).status).toBe(404)
    }
    // The sixth try within the same minute waits for the next one: seconds, not the hour.
    const waiting = await askVia(receipt.trackingNo, receipt.queryCode, home)
    expect(waiting.status).toBe(429)
    const wait = Number(waiting.headers.get('retry-after'))
    expect(wait).toBeGreaterThan(0)
    expect(wait).toBeLessThanOrEqual(rule.slowLaneSeconds)
    expect(((await waiting.json()) as { error: { message: string } }).error.message).toMatch(
      /每分钟只能再试一次。请在 \d+ 秒后再试/,
    )
    vi.useFakeTimers({ toFake: ['Date'] })
    try {
      vi.setSystemTime(Date.now() + wait * 1000)
      expect((await askVia(receipt.trackingNo, receipt.queryCode, home)).status).toBe(200)
      // A wrong code in that minute is checked too, but the next try in it waits again.
      expect((await askVia(receipt.trackingNo, 'TYPO-2222', home)).status).toBe(404)
      expect((await askVia(receipt.trackingNo, receipt.queryCode, home)).status).toBe(429)
    } finally {
      vi.useRealTimers()
    }
  })

  it('never slows down a resident who looks up their own case again and again', async () => {
    const receipt = await file()
    const home = '203.0.113.6'
    await awayFromWindowEdge(3600, 30_000)
    // A wrong code first (a typo), then the right one twelve times.
    expect((await askVia(receipt.trackingNo, 'TYPO-2222', home)).status).toBe(404)
    for (let i = 0; i < 12; i++) {
      expect((await askVia(receipt.trackingNo, receipt.queryCode, home)).status).toBe(200)
    }
    // Only the typo is left on the counters.
    const homeKey = clientKey(t.deps.privacy.hashKey, home)!
    expect(await hitsOf(`track:pair:${homeKey}:${receipt.trackingNo}`)).toBe(1)
    expect(await hitsOf(`track:addr:${homeKey}`)).toBe(1)
    expect(await hitsOf(`track:case:${receipt.trackingNo}`)).toBe(1)
  })

  it('past the ceiling on a case, slows down but still answers the right code from a new address, and refuses addresses that already tried', async () => {
    const receipt = await file()
    await awayFromWindowEdge(3600, 60_000)
    // 40 addresses, five wrong codes each: the case's 200 for the hour.
    const guessers = Array.from({ length: rule.perCase / 5 }, (_, i) => `198.18.7.${i + 1}`)
    const guesses = await Promise.all(
      guessers.flatMap((from) =>
        wrongCodes(5, receipt.queryCode).map((code) => askVia(receipt.trackingNo, code, from)),
      ),
    )
    expect(guesses.map((r) => r.status).filter((s) => s === 404)).toHaveLength(rule.perCase)

    // A new address is still checked, two seconds late: a wrong code is wrong...
    const newcomer = '198.18.8.1'
    let started = Date.now()
    expect((await askVia(receipt.trackingNo, 'WRZZ-ZZZZ', newcomer)).status).toBe(404)
    expect(Date.now() - started).toBeGreaterThanOrEqual(rule.crowdedDelayMs)
    // ...and its second try on the case this hour is refused, even with the right code.
    const again = await askVia(receipt.trackingNo, receipt.queryCode, newcomer)
    expect(again.status).toBe(429)
    expect(((await again.json()) as { error: { message: string } }).error.message).toMatch(
      /大量错误的查询码.*分钟后再试/,
    )

    // The resident, from their own network, gets the answer: slowed, not refused.
    started = Date.now()
    const resident = await askVia(
      receipt.trackingNo,
      asTypedOnAPhone(receipt.queryCode),
      '203.0.113.9',
    )
    expect(resident.status).toBe(200)
    expect(Date.now() - started).toBeGreaterThanOrEqual(rule.crowdedDelayMs)
    // Guessers who already used their tries are refused before any check, in parallel too.
    const late = await Promise.all(
      guessers.map((from) => askVia(receipt.trackingNo, receipt.queryCode, from)),
    )
    expect(late.map((r) => r.status)).toEqual(guessers.map(() => 429))
  })

  it('limits one address across many numbers, without touching other addresses', async () => {
    const receipts = await Promise.all(Array.from({ length: 7 }, () => file()))
    const prober = '198.51.100.77'
    await awayFromWindowEdge(3600, 30_000)
    // Five wrong codes against each of seven numbers: 35 tries, 30 allowed an hour.
    const answers = await Promise.all(
      receipts.flatMap((r) =>
        wrongCodes(5, r.queryCode).map((code) => askVia(r.trackingNo, code, prober)),
      ),
    )
    const statuses = answers.map((r) => r.status)
    expect(statuses.filter((s) => s === 404)).toHaveLength(rule.perAddress)
    expect(statuses.filter((s) => s === 429)).toHaveLength(35 - rule.perAddress)
    for (const r of receipts) {
      expect((await askVia(r.trackingNo, r.queryCode, '203.0.113.7')).status).toBe(200)
    }
  })
})

describe('tracking numbers', () => {
  it('gives complaints filed one after another unrelated random numbers, not a sequence', async () => {
    const numbers: string[] = []
    for (let i = 0; i < 20; i++) numbers.push((await file()).trackingNo)
    const today = beijingDate(new Date()).replaceAll('-', '')
    for (const n of numbers) expect(n).toMatch(new RegExp(`^JL${today}-\\d{4}-\\d{4}$`))
    expect(new Set(numbers).size).toBe(20)
    const values = numbers.map((n) => Number(n.slice(11).replace('-', '')))
    const steps = values.slice(1).map((v, i) => v - values[i]!)
    // Not an arithmetic sequence, no number one after the other, not even in order.
    expect(new Set(steps).size).toBeGreaterThan(1)
    for (const step of steps) expect(Math.abs(step)).toBeGreaterThan(1)
    expect(steps.some((d) => d < 0)).toBe(true)
  })

  it('still finds a case under the sequential number it was given before, typed loosely', async () => {
    const trackingNo = 'JL20261126-00042'
    const queryCode = 'K7MP-Q2RT'
    await t.deps.db
      .insertInto('complaints')
      .values({
        trackingNo,
        queryCodeHash: queryCodeHash(t.deps.privacy.hashKey, trackingNo, queryCode),
        kind: 'report',
        category: 'short_weight',
        countyCode: '331102',
        merchantName: '旧编号测试摊位',
        address: '莲都区旧编号测试菜场',
        occurredAt: new Date('2026-11-26T01:00:00Z'),
        description: '十二月以前提交的举报，编号是顺序号。',
        receivedAt: new Date('2026-11-26T02:00:00Z'),
        dueAt: new Date('2026-12-17T15:59:59Z'),
      })
      .execute()
    for (const typed of [trackingNo, 'jl20261126-00042', 'ＪＬ２０２６１１２６－０００４２']) {
      const res = await ask(typed, queryCode.toLowerCase(), '203.0.113.42')
      expect(res.status, typed).toBe(200)
      expect(((await res.json()) as { trackingNo: string }).trackingNo).toBe(trackingNo)
    }
    // A new number typed the way it is read out: spaces, no dashes, lower case.
    const receipt = await file()
    const [, date, a, b] = /^JL(\d{8})-(\d{4})-(\d{4})$/.exec(receipt.trackingNo)!
    const res = await ask(`jl${date} ${a}${b}`, receipt.queryCode, '203.0.113.42')
    expect(res.status).toBe(200)
  })

  it('files a complaint again under a new number when the one it drew is taken', async () => {
    const earlier = await file()
    draws.forced.push(earlier.trackingNo)
    const from = '192.0.2.201'
    const res = await app.request(
      '/api/complaints',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          kind: 'complaint',
          category: 'short_weight',
          county: '331102',
          merchantName: '撞号测试摊位',
          address: '莲都区撞号测试菜场',
          occurredAt: '2026-11-20T09:30',
          description: '第一次抽到的受理编号已被占用的投诉。',
          name: '赵小红',
          phone: '13700001111',
          consent: true,
        }),
      },
      { clientAddress: from },
    )
    expect(res.status).toBe(201)
    expect(draws.forced).toEqual([])
    const receipt = (await res.json()) as Receipt
    expect(receipt.trackingNo).not.toBe(earlier.trackingNo)
    // Sealed under the number it got, found under it with its code, and counted once.
    const row = await t.deps.db
      .selectFrom('complaints')
      .select(['piiKeyId', 'phoneSealed'])
      .where('trackingNo', '=', receipt.trackingNo)
      .executeTakeFirstOrThrow()
    expect(
      decryptField(
        t.deps.privacy.ring,
        row.piiKeyId!,
        row.phoneSealed!,
        `complaints:${receipt.trackingNo}:phone`,
      ),
    ).toBe('13700001111')
    expect((await ask(receipt.trackingNo, receipt.queryCode, from)).status).toBe(200)
    expect((await ask(earlier.trackingNo, earlier.queryCode, from)).status).toBe(200)
    expect(await hitsOf(`complaint:addr:${clientKey(t.deps.privacy.hashKey, from)!}`)).toBe(1)
  })

  it('gives a 12345 case a random number too, drawing again when it is taken', async () => {
    const earlier = await file()
    draws.forced.push(earlier.trackingNo)
    const ticketNo = newTicketNo()
    const secret = t.deps.config.HOTLINE_WEBHOOK_SECRET!
    expect((await postEvent(app, secret, dispatched(ticketNo))).res.status).toBe(202)
    await applyPendingInboxEvents(t.deps)
    expect(draws.forced).toEqual([])
    const c = await t.deps.db
      .selectFrom('hotlineTickets as h')
      .innerJoin('complaints as c', 'c.id', 'h.complaintId')
      .select(['c.trackingNo', 'c.piiKeyId', 'c.phoneSealed'])
      .where('h.ticketNo', '=', ticketNo)
      .executeTakeFirstOrThrow()
    expect(c.trackingNo).toMatch(/^JL20261126-\d{4}-\d{4}$/)
    expect(c.trackingNo).not.toBe(earlier.trackingNo)
    expect(
      decryptField(
        t.deps.privacy.ring,
        c.piiKeyId!,
        c.phoneSealed!,
        `complaints:${c.trackingNo}:phone`,
      ),
    ).toBe('13800138000')
  })
})
