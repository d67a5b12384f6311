import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { hashPassword } from '../../api/services/admin/auth/password-hash.ts'
import { sessionCookieName } from '../../api/services/admin/sessions.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { signedInOperator, type TestOperator } from '../support/operators.ts'
import { operatorWithPassword, setCookieOf, withTotp } from './admin-auth-fixtures.ts'

/** Console accounts (issue 4: the city_admin manages operators), against real PostgreSQL. */

let t: TestContext
let app: ReturnType<typeof createApp>
let admin: TestOperator
/** The administrator's own password, asked again to reset someone's second factor. */
const adminPassword = 'the city admin knows this one'

beforeAll(async () => {
  t = await createTestContext()
  app = createApp(t.deps)
  admin = await signedInOperator(t.deps, 'city_admin')
  await t.deps.db
    .updateTable('operators')
    .set({ passwordHash: await hashPassword(adminPassword) })
    .where('id', '=', admin.operator.id)
    .execute()
})
afterAll(() => t.cleanup())

interface FieldDetail {
  field: string
  message: string
}

interface OperatorBody {
  operator: { id: string; username: string; allowedActions: string[] } & Record<string, unknown>
  oneTimePassword?: string
}

function post(path: string, body: unknown, as: TestOperator = admin) {
  return app.request(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...as.headers },
    body: JSON.stringify(body),
  })
}

const act = (id: string, action: string, as: TestOperator = admin) =>
  post(
    `/api/admin/operators/${id}/actions`,
    action === 'reset_totp' ? { action, currentPassword: adminPassword } : { action },
    as,
  )

/** Each sign-in from an address of its own, so the per-address limit never answers instead. */
async function signIn(username: string, password: string) {
  const res = await app.request(
    '/api/admin/auth/sign-in',
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    },
    { clientAddress: `198.51.100.${1 + (randomBytes(1)[0]! % 250)}` },
  )
  const body = (await res.clone().json()) as { stage?: string }
  return {
    status: res.status,
    stage: body.stage,
    cookie: setCookieOf(res, sessionCookieName)?.pair,
  }
}

const me = (cookie: string) => app.request('/api/admin/auth/me', { headers: { cookie } })

const operatorRow = (id: string) =>
  t.deps.db.selectFrom('operators').selectAll().where('id', '=', id).executeTakeFirstOrThrow()

const sessionCount = async (id: string) =>
  (
    await t.deps.db
      .selectFrom('operatorSessions')
      .select('tokenHash')
      .where('operatorId', '=', id)
      .execute()
  ).length

const auditOf = (action: string, operatorId: string) =>
  t.deps.db
    .selectFrom('auditLog')
    .selectAll()
    .where('action', '=', action)
    .where(sql<string>`detail->>'operatorId'`, '=', operatorId)
    .execute()

describe('listing accounts', () => {
  it('shows each account with its role, state and last sign-in, and no password hash', async () => {
    const op = await operatorWithPassword(t.deps.db, { role: 'viewer' })
    expect((await signIn(op.username, op.password)).status).toBe(200)

    const res = await app.request('/api/admin/operators', { headers: admin.headers })
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const text = await res.text()
    expect(text).not.toContain('argon2')
    const items = (JSON.parse(text) as { items: Array<Record<string, unknown>> }).items
    const item = items.find((i) => i.username === op.username)
    expect(item).toMatchObject({
      id: op.id,
      role: 'viewer',
      countyCode: null,
      totpEnabled: false,
      mustChangePassword: false,
      lockedUntil: null,
      disabledAt: null,
      openSessions: 1,
      allowedActions: ['reset_password', 'disable'],
    })
    expect(Date.now() - Date.parse(item!.lastSignInAt as string)).toBeLessThan(60_000)
  })

  it('offers the administrator no action on their own account that would lock them out', async () => {
    const res = await app.request('/api/admin/operators', { headers: admin.headers })
    const items = ((await res.json()) as { items: OperatorBody['operator'][] }).items
    const own = items.find((i) => i.id === admin.operator.id)
    expect(own?.allowedActions).toEqual([])
  })
})

describe('creating an account', () => {
  it('answers a one-time password that signs in only to change it, and audits who created it', async () => {
    const username = `new${randomBytes(3).toString('hex')}`
    const res = await post('/api/admin/operators', {
      username: `  ${username.toUpperCase()} `,
      role: 'county_handler',
      county: '331121',
    })
    expect(res.status).toBe(201)
    const body = (await res.json()) as OperatorBody
    expect(body.operator).toMatchObject({ username, role: 'county_handler', countyCode: '331121' })
    expect(body.operator.mustChangePassword).toBe(true)
    expect(body.oneTimePassword).toMatch(/^[A-Za-z2-9]{5}(-[A-Za-z2-9]{5}){3}$/)

    expect(await signIn(username, body.oneTimePassword!)).toMatchObject({
      status: 200,
      stage: 'change_password',
    })
    const [entry] = await auditOf('operator.created', body.operator.id)
    expect(entry).toMatchObject({
      operatorId: admin.operator.id,
      username: admin.operator.username,
    })
    expect(JSON.stringify(entry)).not.toContain(body.oneTimePassword)
  })

  it('refuses a county handler without a county, an admin with one, and a taken name', async () => {
    const handler = await post('/api/admin/operators', {
      username: 'no.county',
      role: 'county_handler',
    })
    expect(handler.status).toBe(400)
    const details = ((await handler.json()) as { error: { details: unknown[] } }).error.details
    expect(details).toEqual([{ field: 'county', message: '区县承办人必须选择所属区县' }])

    const cityAdmin = await post('/api/admin/operators', {
      username: 'admin.county',
      role: 'city_admin',
      county: '331102',
    })
    expect(cityAdmin.status).toBe(400)

    const taken = await post('/api/admin/operators', {
      username: admin.operator.username,
      role: 'viewer',
    })
    expect(taken.status).toBe(409)
    const [problem] = ((await taken.json()) as { error: { details: FieldDetail[] } }).error.details
    expect(problem?.field).toBe('username')
    expect(problem?.message).toContain('已被使用')
  })
})

describe('actions on an account', () => {
  it('resets a password: the old one stops working, the new one signs in to change it, sessions end', async () => {
    const op = await operatorWithPassword(t.deps.db)
    const before = await signIn(op.username, op.password)
    expect(before.status).toBe(200)
    await t.deps.db
      .updateTable('operators')
      .set({ failedSignIns: 3, lockedUntil: new Date(Date.now() + 600_000) })
      .where('id', '=', op.id)
      .execute()

    const res = await act(op.id, 'reset_password')
    expect(res.status).toBe(200)
    const { oneTimePassword, operator } = (await res.json()) as OperatorBody
    expect(operator).toMatchObject({
      mustChangePassword: true,
      lockedUntil: null,
      failedSignIns: 0,
    })

    expect((await me(before.cookie!)).status).toBe(401)
    expect((await signIn(op.username, op.password)).status).toBe(401)
    expect(await signIn(op.username, oneTimePassword!)).toMatchObject({
      status: 200,
      stage: 'change_password',
    })
    const [entry] = await auditOf('operator.reset_password', op.id)
    expect(entry?.detail).toMatchObject({ username: op.username })
    expect(JSON.stringify(entry)).not.toContain(oneTimePassword)
  })

  it('disables an account: its open session is refused at once and it cannot sign in; enable lets it back', async () => {
    const op = await operatorWithPassword(t.deps.db)
    const session = await signIn(op.username, op.password)
    expect((await me(session.cookie!)).status).toBe(200)

    expect((await act(op.id, 'disable')).status).toBe(200)
    expect(await sessionCount(op.id)).toBe(0)
    expect((await me(session.cookie!)).status).toBe(401)
    expect((await operatorRow(op.id)).disabledAt).not.toBeNull()
    expect((await signIn(op.username, op.password)).status).toBe(401)
    expect((await act(op.id, 'disable')).status).toBe(409)

    expect((await act(op.id, 'enable')).status).toBe(200)
    expect((await operatorRow(op.id)).disabledAt).toBeNull()
    expect(await signIn(op.username, op.password)).toMatchObject({ status: 200, stage: 'active' })
    expect(await auditOf('operator.disable', op.id)).toHaveLength(1)
    expect(await auditOf('operator.enable', op.id)).toHaveLength(1)
  })

  it('unlocks a locked account so its right password signs in again', async () => {
    const op = await operatorWithPassword(t.deps.db)
    await t.deps.db
      .updateTable('operators')
      .set({ failedSignIns: 2, lockedUntil: new Date(Date.now() + 600_000) })
      .where('id', '=', op.id)
      .execute()
    expect((await signIn(op.username, op.password)).status).toBe(429)

    expect((await act(op.id, 'unlock')).status).toBe(200)
    expect(await operatorRow(op.id)).toMatchObject({ failedSignIns: 0, lockedUntil: null })
    expect((await signIn(op.username, op.password)).status).toBe(200)
    expect((await act(op.id, 'unlock')).status).toBe(409)
    expect(await auditOf('operator.unlock', op.id)).toHaveLength(1)
  })

  it("resets a city admin's TOTP: sessions end and the next sign-in enrols a new secret", async () => {
    const op = await operatorWithPassword(t.deps.db, { role: 'city_admin' })
    const oldSecret = await withTotp(t.deps.db, t.deps.privacy, op.id)
    const before = await signIn(op.username, op.password)
    expect(before.stage).toBe('totp')

    expect((await act(op.id, 'reset_totp')).status).toBe(200)
    expect(await operatorRow(op.id)).toMatchObject({
      totpEnabledAt: null,
      totpSecretSealed: null,
      totpKeyId: null,
      totpLastStep: null,
    })
    expect(await sessionCount(op.id)).toBe(0)

    const after = await signIn(op.username, op.password)
    expect(after.stage).toBe('totp')
    const enrol = await app.request('/api/admin/auth/totp', { headers: { cookie: after.cookie! } })
    expect(enrol.status).toBe(200)
    expect(((await enrol.json()) as { secret: string }).secret).not.toBe(oldSecret)
    expect((await act(op.id, 'reset_totp')).status).toBe(409)
  })

  it("asks for the administrator's own password to reset a second factor, and counts a wrong one", async () => {
    const op = await operatorWithPassword(t.deps.db)
    await withTotp(t.deps.db, t.deps.privacy, op.id)
    const path = `/api/admin/operators/${op.id}/actions`
    const without = await post(path, { action: 'reset_totp' })
    expect(without.status).toBe(400)
    expect(((await without.json()) as { error: { message: string } }).error.message).toMatch(
      /请输入当前密码/,
    )
    const wrong = await post(path, { action: 'reset_totp', currentPassword: 'not my password' })
    expect(wrong.status).toBe(400)
    expect(((await wrong.json()) as { error: { details: FieldDetail[] } }).error.details).toEqual([
      expect.objectContaining({ field: 'currentPassword' }),
    ])
    expect((await operatorRow(op.id)).totpEnabledAt).not.toBeNull()
    expect(await auditOf('operator.reset_totp', op.id)).toHaveLength(0)
    const failed = await t.deps.db
      .selectFrom('auditLog')
      .select('detail')
      .where('operatorId', '=', admin.operator.id)
      .where('action', '=', 'auth.sign_in_failed')
      .execute()
    expect(failed.map((f) => f.detail)).toMatchObject([{ reason: 'current_password' }])
    expect((await act(op.id, 'reset_totp')).status).toBe(200)
  })

  it("turns a county handler's optional TOTP off: the password alone signs in", async () => {
    const op = await operatorWithPassword(t.deps.db)
    await withTotp(t.deps.db, t.deps.privacy, op.id)
    expect((await signIn(op.username, op.password)).stage).toBe('totp')
    expect((await act(op.id, 'reset_totp')).status).toBe(200)
    expect((await signIn(op.username, op.password)).stage).toBe('active')
    expect(await auditOf('operator.reset_totp', op.id)).toHaveLength(1)
  })

  it('refuses an administrator disabling or resetting their own account, in Chinese', async () => {
    const own = await signedInOperator(t.deps, 'city_admin')
    for (const action of ['disable', 'reset_password', 'reset_totp']) {
      const res = await act(own.operator.id, action, own)
      expect(res.status).toBe(403)
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
        /^不能.+自己的/,
      )
    }
    expect((await operatorRow(own.operator.id)).disabledAt).toBeNull()
    expect((await me(own.headers.cookie)).status).toBe(200)
    expect(await auditOf('operator.disable', own.operator.id)).toHaveLength(0)
  })

  it('answers 404 for an account that does not exist and 400 for an unknown action', async () => {
    expect((await act('999999999', 'unlock')).status).toBe(404)
    expect((await act('not-a-number', 'unlock')).status).toBe(404)
    expect((await act(admin.operator.id, 'delete')).status).toBe(400)
  })
})

describe('changing an account’s role and county', () => {
  const scope = (id: string, body: unknown, as: TestOperator = admin) =>
    post(`/api/admin/operators/${id}/scope`, body, as)

  it('moves a handler to another county: its sessions end and it signs in to the new scope only', async () => {
    const op = await operatorWithPassword(t.deps.db, { countyCode: '331102' })
    const before = await signIn(op.username, op.password)
    expect((await me(before.cookie!)).status).toBe(200)

    const res = await scope(op.id, { role: 'county_handler', county: '331121' })
    expect(res.status).toBe(200)
    expect(((await res.json()) as OperatorBody).operator).toMatchObject({
      role: 'county_handler',
      countyCode: '331121',
      openSessions: 0,
    })
    expect((await me(before.cookie!)).status).toBe(401)
    const after = await signIn(op.username, op.password)
    const who = (await (await me(after.cookie!)).json()) as { operator: { countyCode: string } }
    expect(who.operator.countyCode).toBe('331121')

    const [entry] = await auditOf('operator.change_scope', op.id)
    expect(entry?.detail).toMatchObject({
      username: op.username,
      from: { role: 'county_handler', countyCode: '331102' },
      to: { role: 'county_handler', countyCode: '331121' },
    })
    // Nothing to change the second time.
    expect((await scope(op.id, { role: 'county_handler', county: '331121' })).status).toBe(409)
  })

  it('makes a handler an administrator, who enrols a second factor at the next sign-in', async () => {
    const op = await operatorWithPassword(t.deps.db, { countyCode: '331102' })
    expect((await scope(op.id, { role: 'city_admin', county: '' })).status).toBe(200)
    expect(await operatorRow(op.id)).toMatchObject({ role: 'city_admin', countyCode: null })
    expect(await signIn(op.username, op.password)).toMatchObject({ status: 200, stage: 'totp' })
  })

  it('refuses a scope that does not fit, your own account, and anyone but an administrator', async () => {
    const op = await operatorWithPassword(t.deps.db, { countyCode: '331102' })
    const noCounty = await scope(op.id, { role: 'county_handler', county: '' })
    expect(noCounty.status).toBe(400)
    const problems = (await noCounty.json()) as { error: { details: FieldDetail[] } }
    expect(problems.error.details).toContainEqual({
      field: 'county',
      message: '区县承办人必须选择所属区县',
    })
    expect((await scope(op.id, { role: 'city_admin', county: '331102' })).status).toBe(400)
    expect((await scope(op.id, { role: 'superuser' })).status).toBe(400)

    const own = await scope(admin.operator.id, { role: 'viewer' })
    expect(own.status).toBe(403)
    expect(((await own.json()) as { error: { message: string } }).error.message).toBe(
      '不能调整自己的角色或区县，请由另一位市局管理员进行。',
    )
    const handler = await signedInOperator(t.deps, 'county_handler', '331102')
    expect((await scope(op.id, { role: 'viewer' }, handler)).status).toBe(403)
    expect((await scope('999999999', { role: 'viewer' })).status).toBe(404)
    expect(await operatorRow(op.id)).toMatchObject({ role: 'county_handler', countyCode: '331102' })
  })
})

describe('who may manage accounts', () => {
  const requests = (targetId: string) => [
    { method: 'GET', path: '/api/admin/operators' },
    { method: 'POST', path: '/api/admin/operators', body: { username: 'x.y.z', role: 'viewer' } },
    {
      method: 'POST',
      path: `/api/admin/operators/${targetId}/actions`,
      body: { action: 'disable' },
    },
  ]

  it('refuses viewers and county handlers (403) and the signed out (401), all no-store', async () => {
    const target = await operatorWithPassword(t.deps.db)
    const viewer = await signedInOperator(t.deps, 'viewer')
    const handler = await signedInOperator(t.deps, 'county_handler', '331102')
    for (const r of requests(target.id)) {
      for (const [as, expected] of [
        [viewer.headers, 403],
        [handler.headers, 403],
        [{}, 401],
      ] as const) {
        const res = await app.request(r.path, {
          method: r.method,
          headers: { 'content-type': 'application/json', ...as },
          ...(r.body ? { body: JSON.stringify(r.body) } : {}),
        })
        expect(res.status, `${r.method} ${r.path}`).toBe(expected)
        expect(res.headers.get('cache-control')).toBe('no-store')
      }
    }
    expect((await operatorRow(target.id)).disabledAt).toBeNull()
  })

  it('refuses an administrator POST without the CSRF token, changing nothing', async () => {
    const target = await operatorWithPassword(t.deps.db)
    const res = await app.request(`/api/admin/operators/${target.id}/actions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: admin.headers.cookie },
      body: JSON.stringify({ action: 'disable' }),
    })
    expect(res.status).toBe(403)
    expect((await operatorRow(target.id)).disabledAt).toBeNull()
  })
})
