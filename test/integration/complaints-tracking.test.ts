import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { decryptField } from '../../api/privacy/pii.ts'
import { queryCodeHash } from '../../api/services/complaints/codes.ts'
import { applyPendingInboxEvents } from '../../api/services/hotline/apply.ts'
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

interface Receipt {
  trackingNo: string
  queryCode: string
}

beforeAll(async () => {
  t = await createTestContext({
    env: { COMPLAINT_LIMIT_PER_ADDRESS: '1000', COMPLAINT_LIMIT_PER_PHONE: '1000' },
  })
  app = createApp(t.deps)
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

describe('query-code lookups under a burst of guesses', () => {
  it('checks at most five of 50 simultaneous wrong codes from one address, refuses the right code sent after them, and still answers the resident elsewhere', async () => {
    const receipt = await file()
    const stranger = '198.51.100.66'
    await awayFromWindowEdge(15 * 60, 30_000)

    const first = await Promise.all(
      wrongCodes(40, receipt.queryCode).map((code) => ask(receipt.trackingNo, code, stranger)),
    )
    // The right code travels with ten more wrong ones, once the limit is used up.
    const second = await Promise.all([
      ...wrongCodes(5, receipt.queryCode).map((code) => ask(receipt.trackingNo, code, stranger)),
      ask(receipt.trackingNo, receipt.queryCode, stranger),
      ...wrongCodes(5, receipt.queryCode).map((code) => ask(receipt.trackingNo, code, stranger)),
    ])
    const right = second.splice(5, 1)[0]!
    const statuses = [...first, ...second].map((r) => r.status)
    expect(statuses).toHaveLength(50)
    // A 404 is a code that was checked and was wrong; a 429 was refused before any check.
    expect(statuses.filter((s) => s === 404)).toHaveLength(5)
    expect(statuses.filter((s) => s === 429)).toHaveLength(45)
    expect(right.status).toBe(429)
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0)
    const refusal = (await right.json()) as { error: { code: string; message: string } }
    expect(refusal.error.code).toBe('RATE_LIMITED')
    expect(refusal.error.message).toMatch(/查询码输错次数过多.*分钟后再试/)
    // Every attempt was counted, the refused ones included.
    const strangerKey = clientKey(t.deps.privacy.hashKey, stranger)!
    expect(await hitsOf(`track:pair:${strangerKey}:${receipt.trackingNo}`)).toBe(51)

    // The stranger's guesses did not lock the resident out.
    const resident = await ask(receipt.trackingNo, receipt.queryCode, '203.0.113.5')
    expect(resident.status).toBe(200)
    expect(((await resident.json()) as { trackingNo: string }).trackingNo).toBe(receipt.trackingNo)
  })

  it('never slows down a resident who looks up their own case again and again', async () => {
    const receipt = await file()
    const home = '203.0.113.6'
    await awayFromWindowEdge(15 * 60, 20_000)
    // A wrong code first (a typo), then the right one twelve times.
    expect((await ask(receipt.trackingNo, 'TYPO-2222', home)).status).toBe(404)
    for (let i = 0; i < 12; i++) {
      expect((await ask(receipt.trackingNo, receipt.queryCode, home)).status).toBe(200)
    }
    // Only the typo is left on the counters.
    const homeKey = clientKey(t.deps.privacy.hashKey, home)!
    expect(await hitsOf(`track:pair:${homeKey}:${receipt.trackingNo}`)).toBe(1)
    expect(await hitsOf(`track:addr:${homeKey}`)).toBe(1)
    // Wrong codes still count: four more reach the limit, and then even the right one waits.
    for (let i = 0; i < 4; i++) {
      expect((await ask(receipt.trackingNo, `TYP${i + 2}-2222`, home)).status).toBe(404)
    }
    expect((await ask(receipt.trackingNo, receipt.queryCode, home)).status).toBe(429)
  })

  it('limits one address across many numbers, without touching other addresses', async () => {
    const receipts = await Promise.all(Array.from({ length: 7 }, () => file()))
    const prober = '198.51.100.77'
    await awayFromWindowEdge(3600, 30_000)
    // Five wrong codes against each of seven numbers: 35 tries, 30 allowed an hour.
    const answers = await Promise.all(
      receipts.flatMap((r) =>
        wrongCodes(5, r.queryCode).map((code) => ask(r.trackingNo, code, prober)),
      ),
    )
    const statuses = answers.map((r) => r.status)
    expect(statuses.filter((s) => s === 404)).toHaveLength(30)
    expect(statuses.filter((s) => s === 429)).toHaveLength(5)
    for (const r of receipts) {
      expect((await ask(r.trackingNo, r.queryCode, '203.0.113.7')).status).toBe(200)
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
