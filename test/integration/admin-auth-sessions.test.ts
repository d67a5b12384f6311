import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import {
  hashSessionToken,
  loadSession,
  sessionCookieName,
} from '../../api/services/admin/sessions.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { operatorWithPassword, setCookieOf } from './admin-auth-fixtures.ts'

let t: TestContext
let app: ReturnType<typeof createApp>

beforeAll(async () => {
  t = await createTestContext()
  app = createApp(t.deps)
})
afterAll(() => t.cleanup())

async function signedIn() {
  const op = await operatorWithPassword(t.deps.db)
  const res = await app.request('/api/admin/auth/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: op.username, password: op.password }),
  })
  const { csrfToken } = (await res.json()) as { csrfToken: string }
  const cookie = setCookieOf(res, sessionCookieName)!
  return { op, token: cookie.value, cookie: cookie.pair, csrf: csrfToken }
}

const me = (cookie: string) => app.request('/api/admin/auth/me', { headers: { cookie } })

/** Moves a session's clock columns back, as if that much time had passed. */
async function age(token: string, column: 'last_seen_at' | 'expires_at', by: string) {
  await sql`UPDATE operator_sessions SET ${sql.ref(column)} = now() - ${by}::interval
    WHERE token_hash = ${hashSessionToken(token)}`.execute(t.deps.db)
}

describe('session timeouts', () => {
  it('ends a session idle for more than 30 minutes (loadSession at a later `now`)', async () => {
    const s = await signedIn()
    const { hashKey } = t.deps.privacy
    const in29 = new Date(Date.now() + 29 * 60_000)
    expect(await loadSession(t.deps.db, hashKey, s.token, in29)).not.toBeNull()
    // That look counted as activity; 30 minutes and a second after it, the session is gone.
    const later = new Date(in29.getTime() + 30 * 60_000 + 1000)
    expect(await loadSession(t.deps.db, hashKey, s.token, later)).toBeNull()
    expect(await loadSession(t.deps.db, hashKey, s.token)).toBeNull()
  })

  it('answers 401 once last_seen_at is 31 minutes old, but not at 29', async () => {
    const s = await signedIn()
    await age(s.token, 'last_seen_at', '29 minutes')
    expect((await me(s.cookie)).status).toBe(200)
    await age(s.token, 'last_seen_at', '31 minutes')
    expect((await me(s.cookie)).status).toBe(401)
  })

  it('ends a session at its absolute end (12 hours) however active it was', async () => {
    const s = await signedIn()
    const row = await t.deps.db
      .selectFrom('operatorSessions')
      .select(['createdAt', 'expiresAt'])
      .where('tokenHash', '=', hashSessionToken(s.token))
      .executeTakeFirstOrThrow()
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBe(12 * 3600_000)
    await age(s.token, 'expires_at', '1 second')
    expect((await me(s.cookie)).status).toBe(401)
  })
})

describe('CSRF protection', () => {
  const changeWith = (s: Awaited<ReturnType<typeof signedIn>>, headers: Record<string, string>) =>
    app.request('/api/admin/auth/password', {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: s.cookie, ...headers },
      body: JSON.stringify({ currentPassword: s.op.password, newPassword: 'a brand new password' }),
    })

  it('refuses a state-changing request without X-CSRF-Token, or with a wrong one, and changes nothing', async () => {
    const s = await signedIn()
    const other = await signedIn()
    for (const headers of [{}, { 'x-csrf-token': 'forged' }, { 'x-csrf-token': other.csrf }]) {
      const res = await changeWith(s, headers)
      expect(res.status).toBe(403)
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain('CSRF')
    }
    const signOut = await app.request('/api/admin/auth/sign-out', {
      method: 'POST',
      headers: { cookie: s.cookie },
    })
    expect(signOut.status).toBe(403)

    // Still signed in, and the old password still the one.
    expect((await me(s.cookie)).status).toBe(200)
    const res = await app.request('/api/admin/auth/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: s.op.username, password: s.op.password }),
    })
    expect(res.status).toBe(200)
  })

  it('lets the same request through with the session’s token', async () => {
    const s = await signedIn()
    expect((await changeWith(s, { 'x-csrf-token': s.csrf })).status).toBe(200)
  })
})
