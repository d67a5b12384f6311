import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { recordAudit } from '../../api/services/admin/audit.ts'
import { sessionCookieName } from '../../api/services/admin/sessions.ts'
import { postReport } from '../support/complaints.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { signedInOperator, type TestOperator } from '../support/operators.ts'
import { awayFromWindowEdge } from '../support/windows.ts'
import { codeFor, operatorWithPassword, setCookieOf } from './admin-auth-fixtures.ts'

let t: TestContext
let app: ReturnType<typeof createApp>
let admin: TestOperator

beforeAll(async () => {
  t = await createTestContext()
  app = createApp(t.deps)
  admin = await signedInOperator(t.deps, 'city_admin')
})
afterAll(() => t.cleanup())

const address = '198.51.100.42'

function call(path: string, body: unknown, s?: { cookie: string; csrf: string }) {
  return app.request(
    `/api/admin/auth/${path}`,
    {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(s ? { cookie: s.cookie, 'x-csrf-token': s.csrf } : {}),
      },
      body: JSON.stringify(body),
    },
    { clientAddress: address },
  )
}

async function sessionFrom(res: Response) {
  const body = (await res.json()) as { csrfToken: string }
  return { cookie: setCookieOf(res, sessionCookieName)!.pair, csrf: body.csrfToken }
}

type Page = {
  items: { username: string; action: string; trackingNo: string | null }[]
  total: number
}

async function search(query: string, who: TestOperator = admin): Promise<Page> {
  const res = await app.request(`/api/admin/audit?${query}`, { headers: who.headers })
  expect(res.status).toBe(200)
  return (await res.json()) as Page
}

describe('audit entries for sign-in events', () => {
  it('records every kind, with the client address and without any password or code', async () => {
    const op = await operatorWithPassword(t.deps.db, { mustChangePassword: true })
    const newPassword = 'audited new password 2026'
    await call('sign-in', { username: op.username, password: 'not the password' })
    let s = await sessionFrom(
      await call('sign-in', { username: op.username, password: op.password }),
    )
    s = await sessionFrom(await call('password', { currentPassword: op.password, newPassword }, s))
    const enrol = await app.request('/api/admin/auth/totp', { headers: { cookie: s.cookie } })
    const { secret } = (await enrol.json()) as { secret: string }
    const code = codeFor(secret)
    expect((await call('totp', { code, currentPassword: newPassword }, s)).status).toBe(200)
    expect((await call('sign-out', {}, s)).status).toBe(204)
    // Failures count in 15-minute windows: five split across an edge would lock nothing.
    await awayFromWindowEdge(15 * 60, 20_000)
    for (let i = 0; i < 5; i++) await call('sign-in', { username: op.username, password: `x${i}` })

    const rows = await t.deps.db
      .selectFrom('auditLog')
      .selectAll()
      .where('operatorId', '=', op.id)
      .orderBy('id')
      .execute()
    expect(new Set(rows.map((r) => r.action))).toEqual(
      new Set([
        'auth.sign_in',
        'auth.sign_in_failed',
        'auth.password_changed',
        'auth.totp_enabled',
        'auth.sign_out',
        'auth.locked',
      ]),
    )
    for (const row of rows) {
      expect(row.clientAddress).toBe(address)
      expect(row.username).toBe(op.username)
    }
    const everything = JSON.stringify(rows)
    for (const secretThing of [op.password, newPassword, 'not the password', secret, code]) {
      expect(everything).not.toContain(secretThing)
    }
  })

  it('does not write down a name that cannot be one (a password typed into the name field)', async () => {
    const typed = 'Correct Horse Battery!'
    expect((await call('sign-in', { username: typed, password: 'whatever' })).status).toBe(401)
    const rows = await t.deps.db
      .selectFrom('auditLog')
      .selectAll()
      .where('action', '=', 'auth.sign_in_failed')
      .where('operatorId', 'is', null)
      .execute()
    expect(rows.map((r) => r.username)).toContain('(不是有效的用户名)')
    expect(JSON.stringify(rows).toLowerCase()).not.toContain(typed.toLowerCase())
  })
})

describe('unknown names in the audit log', () => {
  it('never writes down an unknown name, even one shaped like a name (a lower-case password)', async () => {
    const typed = 'correcthorse2026battery'
    expect((await call('sign-in', { username: typed, password: 'whatever' })).status).toBe(401)
    expect((await call('sign-in', { username: typed, password: 'again' })).status).toBe(401)
    const rows = await t.deps.db
      .selectFrom('auditLog')
      .selectAll()
      .where('action', '=', 'auth.sign_in_failed')
      .where('username', '=', '(未知用户名)')
      .execute()
    expect(JSON.stringify(rows)).not.toContain(typed)
    // The same name tried twice is recognisable as the same, without being readable.
    const hashes = rows.map((r) => (r.detail as { nameHash?: string }).nameHash)
    expect(hashes.filter((h) => h === hashes.at(-1))).toHaveLength(2)
  })
})

describe('the audit log is append-only', () => {
  it('refuses UPDATE, DELETE and TRUNCATE in the database itself', async () => {
    await recordAudit(t.deps.db, {
      operator: null,
      username: 'someone',
      action: 'auth.sign_in_failed',
    })
    await expect(sql`UPDATE audit_log SET username = 'x'`.execute(t.deps.db)).rejects.toThrow(
      /append-only/,
    )
    await expect(sql`DELETE FROM audit_log`.execute(t.deps.db)).rejects.toThrow(/append-only/)
    await expect(sql`TRUNCATE audit_log`.execute(t.deps.db)).rejects.toThrow(/append-only/)
    const count = await t.deps.db
      .selectFrom('auditLog')
      .select(sql<string>`count(*)`.as('n'))
      .where('username', '=', 'someone')
      .executeTakeFirstOrThrow()
    expect(Number(count.n)).toBe(1)
  })
})

describe('GET /api/admin/audit', () => {
  it('is for city_admin only: 401 signed out, 403 for a county handler and a viewer', async () => {
    expect((await app.request('/api/admin/audit')).status).toBe(401)
    for (const role of ['county_handler', 'viewer'] as const) {
      const who = await signedInOperator(t.deps, role, role === 'viewer' ? null : '331102')
      const res = await app.request('/api/admin/audit', { headers: who.headers })
      expect(res.status).toBe(403)
      expect(res.headers.get('cache-control')).toBe('no-store')
    }
  })

  it('filters by operator and action (exact or a family), newest first, 50 to a page', async () => {
    const name = 'audit.pager'
    for (let i = 0; i < 55; i++) {
      await recordAudit(t.deps.db, {
        operator: null,
        username: name,
        action: i % 2 ? 'auth.sign_in_failed' : 'case.viewed',
        detail: { i },
      })
    }
    const first = await search(`operator=${name}`)
    expect(first.total).toBe(55)
    expect(first.items).toHaveLength(50)
    const second = await search(`operator=${name}&page=2`)
    expect(second.items).toHaveLength(5)
    const ids = [...first.items, ...second.items].map((e) =>
      Number((e as unknown as { id: string }).id),
    )
    expect(ids).toEqual([...ids].sort((a, b) => b - a))

    expect((await search(`operator=${name}&action=case.viewed`)).total).toBe(28)
    expect((await search(`operator=${name}&action=auth.*`)).total).toBe(27)
    expect((await search(`operator=${name}&action=auth`)).total).toBe(0)
  })

  it('filters by complaint (id or tracking number) and by Shanghai calendar days', async () => {
    const filed = await postReport(app, '审计日志按案件筛选的测试', 7)
    const receipt = (await filed.json()) as { trackingNo: string }
    expect(filed.status, JSON.stringify(receipt)).toBe(201)
    const complaint = await t.deps.db
      .selectFrom('complaints')
      .select('id')
      .where('trackingNo', '=', receipt.trackingNo)
      .executeTakeFirstOrThrow()
    await recordAudit(t.deps.db, {
      operator: admin.operator,
      action: 'case.pii_revealed',
      complaintId: complaint.id,
    })
    const byId = await search(`complaintId=${complaint.id}`)
    expect(byId.items.map((e) => e.trackingNo)).toEqual([receipt.trackingNo])
    expect((await search(`complaintId=${receipt.trackingNo.toLowerCase()}`)).total).toBe(1)

    // 2026-03-01 23:30 in Shanghai is 15:30 UTC, the 1st; 2026-03-02 00:30 is the 2nd.
    const at = (iso: string, username: string) =>
      t.deps.db
        .insertInto('auditLog')
        .values({ occurredAt: new Date(iso), username, action: 'case.viewed' })
        .execute()
    await at('2026-03-01T15:30:00Z', 'day.one')
    await at('2026-03-01T16:30:00Z', 'day.two')
    const day1 = await search('from=2026-03-01&to=2026-03-01')
    expect(day1.items.map((e) => e.username)).toEqual(['day.one'])
    const both = await search('from=2026-03-01&to=2026-03-02')
    expect(both.items.map((e) => e.username)).toEqual(['day.two', 'day.one'])
  })

  it('explains a malformed filter in Chinese', async () => {
    const res = await app.request('/api/admin/audit?from=2026-13-01&to=yesterday&complaintId=x', {
      headers: admin.headers,
    })
    expect(res.status).toBe(400)
    const body = (await res.json()) as { error: { details: { field: string; message: string }[] } }
    const fields = body.error.details.map((d) => d.field).sort()
    expect(fields).toEqual(['complaintId', 'from', 'to'])
    expect(body.error.details.find((d) => d.field === 'from')!.message).toContain('2026-11-27')
  })
})
