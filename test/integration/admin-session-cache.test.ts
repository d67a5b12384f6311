import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { SessionCache, watchSessionChanges, type SessionWatch } from '../../api/session-cache.ts'
import { endSessionsOf, loadSession } from '../../api/services/admin/sessions.ts'
import { createDb, type Db } from '../../db/client.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { operatorSession } from '../support/operators.ts'

/**
 * The console's memory of confirmed sessions (session-cache.ts), as `npm start` runs it: a
 * session confirmed a moment ago is not read again, and any change to sessions or operators,
 * made here or by another instance (here: another connection pool), ends that at once.
 */
let t: TestContext
let watch: SessionWatch
let app: ReturnType<typeof createApp>
/** Another app instance's connections: its changes reach this one only through PostgreSQL. */
let elsewhere: Db

async function until(condition: () => Promise<boolean> | boolean, ms = 3_000) {
  const deadline = Date.now() + ms
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`not within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

beforeAll(async () => {
  t = await createTestContext()
  watch = watchSessionChanges({
    databaseUrl: t.databaseUrl,
    logger: t.deps.logger,
    reconnectMs: 100,
  })
  app = createApp({ ...t.deps, sessionCache: watch.cache })
  elsewhere = createDb({ connectionString: t.databaseUrl, max: 1 })
  await until(() => watch.cache.listening)
})
afterAll(async () => {
  await watch.close()
  await elsewhere.destroy()
  await t.cleanup()
})

const me = (cookie: string) => app.request('/api/admin/auth/me', { headers: { cookie } })

/** A signed-in handler whose session this instance has just confirmed (and so remembers). */
async function confirmed() {
  const s = await operatorSession(t.deps.db, 'county_handler', '331102')
  expect((await me(s.cookie)).status).toBe(200)
  return s
}

describe('confirmed console sessions', () => {
  it('answers a session confirmed a moment ago from memory, not from the database', async () => {
    const s = await confirmed()
    const before = { ...watch.cache.stats }
    for (let i = 0; i < 5; i++) expect((await me(s.cookie)).status).toBe(200)
    expect(watch.cache.stats.hits - before.hits).toBe(5)
    expect(watch.cache.stats.misses).toBe(before.misses)
  })

  it('refuses a session another instance ended, as soon as PostgreSQL announces it', async () => {
    const s = await confirmed()
    await elsewhere.deleteFrom('operatorSessions').where('tokenHash', '=', s.tokenHash).execute()
    // Well before the memory's own 10 s limit: the announcement, not the time, ended it.
    const started = Date.now()
    await until(async () => (await me(s.cookie)).status === 401, 2_000)
    expect(Date.now() - started).toBeLessThan(2_000)
  })

  it('refuses at once an operator another instance disabled, and a session it aged', async () => {
    const disabled = await confirmed()
    await elsewhere
      .updateTable('operators')
      .set({ disabledAt: new Date() })
      .where('id', '=', disabled.id)
      .execute()
    await until(async () => (await me(disabled.cookie)).status === 401, 2_000)

    const idle = await confirmed()
    await sql`UPDATE operator_sessions SET last_seen_at = now() - interval '31 minutes'
      WHERE token_hash = ${idle.tokenHash}`.execute(elsewhere)
    await until(async () => (await me(idle.cookie)).status === 401, 2_000)
  })

  it('forgets at once what this process itself ends, before any announcement', async () => {
    const s = await confirmed()
    await endSessionsOf(t.deps.db, s.id, watch.cache)
    expect((await me(s.cookie)).status).toBe(401)

    const signedOut = await confirmed()
    const csrf = ((await (await me(signedOut.cookie)).json()) as { csrfToken: string }).csrfToken
    const out = await app.request('/api/admin/auth/sign-out', {
      method: 'POST',
      headers: { cookie: signedOut.cookie, 'x-csrf-token': csrf },
    })
    expect(out.status).toBeLessThan(300)
    expect((await me(signedOut.cookie)).status).toBe(401)
  })

  it('still marks a remembered session as seen, so it does not idle out while in use', async () => {
    const s = await confirmed()
    const { hashKey } = t.deps.privacy
    // 31 s on, the memory may not answer alone: the database is read and last_seen_at moved.
    const later = new Date(Date.now() + 31_000)
    expect(await loadSession(t.deps.db, hashKey, s.token, later, watch.cache)).not.toBeNull()
    const row = await t.deps.db
      .selectFrom('operatorSessions')
      .select('lastSeenAt')
      .where('tokenHash', '=', s.tokenHash)
      .executeTakeFirstOrThrow()
    expect(row.lastSeenAt.getTime()).toBe(later.getTime())
  })

  it('keeps nothing while changes cannot be heard, and listens again after a lost connection', async () => {
    const s = await confirmed()
    await sql`SELECT pg_terminate_backend(pid) FROM pg_stat_activity
      WHERE datname = current_database() AND query = 'LISTEN console_sessions'`.execute(elsewhere)
    await until(() => !watch.cache.listening)
    const before = { ...watch.cache.stats }
    expect((await me(s.cookie)).status).toBe(200)
    expect((await me(s.cookie)).status).toBe(200)
    // Both asked the database: nothing is remembered while deaf, whatever was before.
    expect(watch.cache.stats.misses - before.misses).toBe(2)
    expect(watch.cache.stats.hits).toBe(before.hits)

    await until(() => watch.cache.listening)
    expect((await me(s.cookie)).status).toBe(200)
    const hits = watch.cache.stats.hits
    expect((await me(s.cookie)).status).toBe(200)
    expect(watch.cache.stats.hits).toBe(hits + 1)
  })
})

describe('SessionCache', () => {
  const row = {
    stage: 'active' as const,
    lastSeenAt: new Date(),
    expiresAt: new Date(Date.now() + 3_600_000),
    id: '1',
    username: 'someone',
    role: 'viewer' as const,
    countyCode: null,
    disabledAt: null,
    mustChangePassword: false,
    totpEnabledAt: null,
  }

  it('drops a row read before a change it did not see, and anything older than its limit', () => {
    const cache = new SessionCache({ ttlMs: 1_000 })
    cache.listening = true
    const generation = cache.generation
    cache.forget()
    cache.put('a', row, generation, 0)
    expect(cache.get('a', 1)).toBeUndefined()

    cache.put('b', row, cache.generation, 0)
    expect(cache.get('b', 999)).toBe(row)
    expect(cache.get('b', 1_000)).toBeUndefined()
  })

  it('keeps nothing until it listens', () => {
    const cache = new SessionCache()
    cache.put('a', row, cache.generation, 0)
    expect(cache.get('a', 1)).toBeUndefined()
  })
})
