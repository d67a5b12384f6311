import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { installDeps, uninstallDeps } from '../../server/deps.ts'
import { SharedHitCounter } from '../../api/services/limits/shared-hit-counter.ts'
import { createDb } from '../../db/client.ts'
import { runSearch } from '../../site/lib/search-page.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { awayFromWindowEdge } from '../support/windows.ts'

let t: TestContext
let app: ReturnType<typeof createApp>
const limit = 5

beforeAll(async () => {
  t = await createTestContext({ env: { SEARCH_LIMIT_PER_ADDRESS: String(limit) } })
  app = createApp(t.deps)
})
afterAll(() => t.cleanup())

const from = (address: string, path: string) =>
  app.request(path, { headers: { accept: 'application/json' } }, { clientAddress: address })
const search = (q: string) => `/api/search?q=${encodeURIComponent(q)}`

describe('public searches per client address', () => {
  it('answers 429 with Retry-After past the limit, for that address and only for text', async () => {
    const address = '203.0.113.41'
    await awayFromWindowEdge(60, 10_000)
    for (let i = 0; i < limit - 1; i++)
      expect((await from(address, search('菜场'))).status).toBe(200)
    // The directory's text search counts too.
    expect((await from(address, `/api/enterprises?q=${encodeURIComponent('加油')}`)).status).toBe(
      200,
    )

    const refused = await from(address, search('眼镜'))
    expect(refused.status).toBe(429)
    const retryAfter = Number(refused.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThanOrEqual(1)
    expect(retryAfter).toBeLessThanOrEqual(60)
    const body = (await refused.json()) as { error: { code: string; message: string } }
    expect(body.error.code).toBe('RATE_LIMITED')
    expect(body.error.message).toBe(
      `搜索太频繁：同一网络每分钟最多搜索 ${limit} 次。请在 ${retryAfter} 秒后再试。`,
    )
    expect((await from(address, `/api/enterprises?q=${encodeURIComponent('加油')}`)).status).toBe(
      429,
    )

    // Browsing the directory without text, and another address, go on.
    expect((await from(address, '/api/enterprises?county=331102')).status).toBe(200)
    expect((await from('203.0.113.42', search('菜场'))).status).toBe(200)
  })

  it('refuses the search page’s text search the same way', async () => {
    installDeps(t.deps)
    try {
      const query = {
        q: '菜场',
        county: undefined,
        sector: undefined,
        status: undefined,
        page: 1,
        asTyped: false,
      }
      const client = (peer: string) => ({
        request: new Request('http://127.0.0.1/search?q=%E8%8F%9C%E5%9C%BA'),
        peer: () => peer,
      })
      await awayFromWindowEdge(60, 10_000)
      for (let i = 0; i < limit; i++) {
        expect((await runSearch(query, client('198.51.100.30'))).kind).toBe('results')
      }
      const limited = await runSearch(query, client('198.51.100.30'))
      expect(limited).toMatchObject({
        kind: 'limited',
        message: expect.stringContaining(`每分钟最多搜索 ${limit} 次`) as string,
      })
      // Filters alone are not a text search.
      expect(
        (await runSearch({ ...query, q: '', county: '331102' }, client('198.51.100.30'))).kind,
      ).toBe('results')
    } finally {
      uninstallDeps()
    }
  })
})

describe('the shared hit counter', () => {
  const bucket = () => `test:${Math.random().toString(36).slice(2)}`
  const minute = 60_000
  const now = Math.floor(Date.now() / minute) * minute + 10_000
  /** A limit these hits are far below: they are counted in memory and written once a second. */
  const far = 1000

  it('learns what other instances counted once it writes its own hits', async () => {
    const a = new SharedHitCounter(t.deps.db, t.deps.logger)
    const b = new SharedHitCounter(t.deps.db, t.deps.logger)
    const key = bucket()
    for (let i = 0; i < 3; i++) await a.hit(key, far, now)
    await a.flush(now)
    // Before its first write, B knows only its own hit.
    expect(await b.hit(key, far, now)).toBe(1)
    await b.flush(now)
    expect(await b.hit(key, far, now)).toBe(5)
    await b.flush(now)
    const row = await t.deps.db
      .selectFrom('rateLimitHits')
      .select('hits')
      .where('bucket', '=', key)
      .executeTakeFirstOrThrow()
    expect(row.hits).toBe(5)
    // The next minute starts afresh.
    expect(await a.hit(key, far, now + minute)).toBe(1)
  })

  it('still counts the hits it is writing while PostgreSQL has not answered', async () => {
    const counter = new SharedHitCounter(t.deps.db, t.deps.logger)
    const key = bucket()
    for (let i = 0; i < 3; i++) await counter.hit(key, far, now)
    let writing: Promise<void> | undefined
    await t.deps.db.transaction().execute(async (trx) => {
      // Another transaction holds the window's row, so the counter's write waits on it.
      await trx
        .insertInto('rateLimitHits')
        .values({ bucket: key, windowStart: new Date(now - (now % minute)), hits: 0 })
        .execute()
      writing = counter.flush(now)
      await waitForLockWait()
      expect(await counter.hit(key, far, now)).toBe(4)
    })
    await writing
    expect(await counter.hit(key, far, now)).toBe(5)
    await counter.flush(now)
    expect(await counter.hit(key, far, now)).toBe(6)
  })

  it('keeps its hits and goes on counting while the database cannot be reached', async () => {
    const unreachable = createDb({ connectionString: 'postgres://nobody@127.0.0.1:1/none', max: 1 })
    try {
      const counter = new SharedHitCounter(unreachable, t.deps.logger)
      const key = bucket()
      expect(await counter.hit(key, far, now)).toBe(1)
      await counter.flush(now)
      expect(await counter.hit(key, far, now)).toBe(2)
      expect(t.logLines.some((l) => l.includes('search counts not stored'))).toBe(true)
    } finally {
      await unreachable.destroy()
    }
  })
})

describe('the shared hit counter near a limit', () => {
  const bucket = () => `test:${Math.random().toString(36).slice(2)}`
  const minute = 60_000
  const now = Math.floor(Date.now() / minute) * minute + 10_000
  const storedHits = async (key: string) =>
    (
      await t.deps.db
        .selectFrom('rateLimitHits')
        .select('hits')
        .where('bucket', '=', key)
        .executeTakeFirst()
    )?.hits

  it('writes nothing per hit while an address is far below its limit', async () => {
    const counter = new SharedHitCounter(t.deps.db, t.deps.logger)
    const key = bucket()
    // 2 % of 180: three hits may wait for the once-a-second write.
    for (let i = 1; i <= 3; i++) expect(await counter.hit(key, 180, now)).toBe(i)
    expect(await storedHits(key)).toBeUndefined()
    await counter.flush(now)
    expect(await storedHits(key)).toBe(3)
  })

  it('counts each hit in PostgreSQL before judging it once the window is past half its limit', async () => {
    const a = new SharedHitCounter(t.deps.db, t.deps.logger)
    const b = new SharedHitCounter(t.deps.db, t.deps.logger)
    const key = bucket()
    const max = 10
    for (let i = 0; i < 6; i++) await a.hit(key, max, now)
    await a.flush(now)
    expect(await storedHits(key)).toBe(6)
    // B has never written: its one unwritten hit (2 % of the limit, at least one) is all it lets
    // through on its own; its next is counted in PostgreSQL first, with A's hits and its own.
    expect(await b.hit(key, max, now)).toBe(1)
    expect(await b.hit(key, max, now)).toBe(8)
    expect(await storedHits(key)).toBe(8)
    // A knows the window past half the limit: every hit is written before it is judged.
    expect(await a.hit(key, max, now)).toBe(9)
    expect(await storedHits(key)).toBe(9)
  })

  it('lets a concurrent burst over three instances through up to the limit, and no more than 10 % over', async () => {
    const pools = [0, 1, 2].map(() => createDb({ connectionString: t.databaseUrl, max: 5 }))
    try {
      const counters = pools.map((db) => new SharedHitCounter(db, t.deps.logger))
      const key = bucket()
      const max = 180
      const totals = await Promise.all(
        Array.from({ length: 300 }, (_, i) => counters[i % 3]!.hit(key, max, now)),
      )
      const answered = totals.filter((total) => total <= max).length
      expect(answered).toBeGreaterThanOrEqual(max * 0.9)
      expect(answered).toBeLessThanOrEqual(max * 1.1)
      await Promise.all(counters.map((c) => c.flush(now)))
      expect(await storedHits(key)).toBe(300)
    } finally {
      await Promise.all(pools.map((db) => db.destroy()))
    }
  })

  it('refuses without a write once PostgreSQL has put the window over its limit', async () => {
    const counter = new SharedHitCounter(t.deps.db, t.deps.logger)
    const key = bucket()
    const max = 2
    const totals = []
    for (let i = 0; i < 3; i++) totals.push(await counter.hit(key, max, now))
    expect(totals).toEqual([1, 2, 3])
    expect(await storedHits(key)).toBe(3)
    // The third hit was refused by PostgreSQL's count: a flood past the limit is refused here and
    // waits for the once-a-second write.
    for (let i = 4; i <= 6; i++) expect(await counter.hit(key, max, now)).toBe(i)
    expect(await storedHits(key)).toBe(3)
    await counter.flush(now)
    expect(await storedHits(key)).toBe(6)
  })

  it('judges a hit on its own count when PostgreSQL takes over 2 s, and waits no more meanwhile', async () => {
    const counter = new SharedHitCounter(t.deps.db, t.deps.logger)
    const key = bucket()
    const max = 2
    expect(await counter.hit(key, max, now)).toBe(1)
    await t.deps.db.transaction().execute(async (trx) => {
      // Another transaction holds the window's row: the counter's write waits on it.
      await trx
        .insertInto('rateLimitHits')
        .values({ bucket: key, windowStart: new Date(now - (now % minute)), hits: 0 })
        .execute()
      const started = Date.now()
      expect(await counter.hit(key, max, now)).toBe(2)
      expect(Date.now() - started).toBeGreaterThanOrEqual(1900)
      expect(Date.now() - started).toBeLessThan(5000)
      // Until a write succeeds, hits are judged here at once.
      const next = Date.now()
      expect(await counter.hit(key, max, now)).toBe(3)
      expect(Date.now() - next).toBeLessThan(500)
    })
    await counter.flush(now)
    expect(await storedHits(key)).toBe(3)
  })

  it('judges near the limit on its own count, and logs it, while the database cannot be reached', async () => {
    const unreachable = createDb({ connectionString: 'postgres://nobody@127.0.0.1:1/none', max: 1 })
    try {
      const counter = new SharedHitCounter(unreachable, t.deps.logger)
      const key = bucket()
      const max = 2
      const totals = []
      for (let i = 0; i < 4; i++) totals.push(await counter.hit(key, max, now))
      // Searches go on up to the limit as this instance counts them, then are refused.
      expect(totals).toEqual([1, 2, 3, 4])
      expect(t.logLines.some((l) => l.includes('search counts not stored'))).toBe(true)
    } finally {
      await unreachable.destroy()
    }
  })
})

/** Waits until some session of this database waits on a lock. */
async function waitForLockWait() {
  for (let i = 0; i < 200; i++) {
    const { rows } = await sql<{ waiting: number }>`
      select count(*)::int as waiting from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock'`.execute(t.deps.db)
    if ((rows[0]?.waiting ?? 0) > 0) return
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
  throw new Error('the counter never waited on the held row')
}
