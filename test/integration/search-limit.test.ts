import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { installDeps, uninstallDeps } from '../../server/deps.ts'
import { SharedHitCounter } from '../../api/services/limits/search-limit.ts'
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

  it('learns what other instances counted once it writes its own hits', async () => {
    const a = new SharedHitCounter(t.deps.db, t.deps.logger)
    const b = new SharedHitCounter(t.deps.db, t.deps.logger)
    const key = bucket()
    for (let i = 0; i < 3; i++) a.hit(key, now)
    await a.flush(now)
    // Before its first write, B knows only its own hit.
    expect(b.hit(key, now)).toBe(1)
    await b.flush(now)
    expect(b.hit(key, now)).toBe(5)
    await b.flush(now)
    const row = await t.deps.db
      .selectFrom('rateLimitHits')
      .select('hits')
      .where('bucket', '=', key)
      .executeTakeFirstOrThrow()
    expect(row.hits).toBe(5)
    // The next minute starts afresh.
    expect(a.hit(key, now + minute)).toBe(1)
  })

  it('still counts the hits it is writing while PostgreSQL has not answered', async () => {
    const counter = new SharedHitCounter(t.deps.db, t.deps.logger)
    const key = bucket()
    for (let i = 0; i < 3; i++) counter.hit(key, now)
    let writing: Promise<void> | undefined
    await t.deps.db.transaction().execute(async (trx) => {
      // Another transaction holds the window's row, so the counter's write waits on it.
      await trx
        .insertInto('rateLimitHits')
        .values({ bucket: key, windowStart: new Date(now - (now % minute)), hits: 0 })
        .execute()
      writing = counter.flush(now)
      await waitForLockWait()
      expect(counter.hit(key, now)).toBe(4)
    })
    await writing
    expect(counter.hit(key, now)).toBe(5)
    await counter.flush(now)
    expect(counter.hit(key, now)).toBe(6)
  })

  it('keeps its hits and goes on counting while the database cannot be reached', async () => {
    const unreachable = createDb({ connectionString: 'postgres://nobody@127.0.0.1:1/none', max: 1 })
    try {
      const counter = new SharedHitCounter(unreachable, t.deps.logger)
      const key = bucket()
      expect(counter.hit(key, now)).toBe(1)
      await counter.flush(now)
      expect(counter.hit(key, now)).toBe(2)
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
