import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { sessionCookieName } from '../../api/services/admin/sessions.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { codeFor, operatorWithPassword, setCookieOf, withTotp } from './admin-auth-fixtures.ts'

let t: TestContext
let app: ReturnType<typeof createApp>

beforeAll(async () => {
  t = await createTestContext()
  app = createApp(t.deps)
})
afterAll(() => t.cleanup())

interface Session {
  cookie: string
  csrf: string
  stage: string
}

async function sessionFrom(res: Response, previous?: Session): Promise<Session> {
  const body = (await res.json()) as { csrfToken?: string; stage: string }
  const cookie = setCookieOf(res, sessionCookieName)?.pair
  return {
    cookie: cookie ?? previous!.cookie,
    csrf: body.csrfToken ?? previous!.csrf,
    stage: body.stage,
  }
}

async function signIn(username: string, password: string) {
  const res = await app.request('/api/admin/auth/sign-in', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  })
  expect(res.status).toBe(200)
  return sessionFrom(res)
}

const post = (s: Session, path: string, body: unknown) =>
  app.request(`/api/admin/auth/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: s.cookie, 'x-csrf-token': s.csrf },
    body: JSON.stringify(body),
  })

const get = (s: Session, path: string) => app.request(path, { headers: { cookie: s.cookie } })

const errorOf = async (res: Response) =>
  ((await res.json()) as { error: { message: string; details?: { field: string }[] } }).error

async function totpColumns(id: string) {
  return t.deps.db
    .selectFrom('operators')
    .select(['totpKeyId', 'totpSecretSealed', 'totpEnabledAt', 'totpLastStep'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow()
}

describe('TOTP for a city_admin', () => {
  it('is required at first sign-in: password change, enrolment with a sealed secret, then a code', async () => {
    const op = await operatorWithPassword(t.deps.db, {
      role: 'city_admin',
      mustChangePassword: true,
    })
    let s = await signIn(op.username, op.password)
    expect(s.stage).toBe('change_password')
    s = await sessionFrom(
      await post(s, 'password', {
        currentPassword: op.password,
        newPassword: 'city admin 2026 winter',
      }),
    )
    expect(s.stage).toBe('totp')
    // Not signed in yet: the console refuses, and says why.
    const refused = await get(s, '/api/admin/audit')
    expect(refused.status).toBe(403)
    expect((await errorOf(refused)).message).toContain('动态验证码')

    const enrol = await get(s, '/api/admin/auth/totp')
    expect(enrol.status).toBe(200)
    const { secret, secretGrouped, uri } = (await enrol.json()) as {
      secret: string
      secretGrouped: string
      uri: string
    }
    expect(secret).toMatch(/^[A-Z2-7]{32}$/)
    expect(secretGrouped.replace(/ /g, '')).toBe(secret)
    expect(uri).toContain(`secret=${secret}`)
    // The same secret on a second look; stored sealed, not in the clear, and not yet in force.
    expect(
      ((await (await get(s, '/api/admin/auth/totp')).json()) as { secret: string }).secret,
    ).toBe(secret)
    const stored = await totpColumns(op.id)
    expect(stored.totpKeyId).toBe(t.deps.privacy.ring.currentId)
    expect(stored.totpSecretSealed!.toString('latin1')).not.toContain(secret)
    expect(stored.totpEnabledAt).toBeNull()

    const currentPassword = 'city admin 2026 winter'
    const wrong = await post(s, 'totp', { code: codeFor(secret, new Date(), 5), currentPassword })
    expect(wrong.status).toBe(400)
    expect(await errorOf(wrong)).toMatchObject({ details: [{ field: 'code' }] })

    const before = s
    const done = await post(s, 'totp', { code: codeFor(secret), currentPassword })
    expect(done.status).toBe(200)
    s = await sessionFrom(done)
    expect(s.stage).toBe('active')
    expect(s.cookie).not.toBe(before.cookie)
    expect((await get(before, '/api/admin/auth/me')).status).toBe(401)
    expect((await get(s, '/api/admin/audit')).status).toBe(200)
    expect((await totpColumns(op.id)).totpEnabledAt).not.toBeNull()
    expect((await get(s, '/api/admin/auth/totp')).status).toBe(409)
  })

  it('asks for a code at every sign-in and refuses a code already used (replay)', async () => {
    const op = await operatorWithPassword(t.deps.db, { role: 'city_admin' })
    const secret = await withTotp(t.deps.db, t.deps.privacy, op.id)
    const first = await signIn(op.username, op.password)
    expect(first.stage).toBe('totp')
    const code = codeFor(secret)
    expect((await post(first, 'totp', { code })).status).toBe(200)

    const second = await signIn(op.username, op.password)
    const replay = await post(second, 'totp', { code })
    expect(replay.status).toBe(400)
    expect((await errorOf(replay)).message).toContain('已经用过')
    // An earlier step than the one used is refused too; the next one is good.
    expect((await post(second, 'totp', { code: codeFor(secret, new Date(), -1) })).status).toBe(400)
    expect((await post(second, 'totp', { code: codeFor(secret, new Date(), 1) })).status).toBe(200)
  })

  it('refuses codes after five wrong ones from an address: the session ends, and that address waits', async () => {
    const op = await operatorWithPassword(t.deps.db, { role: 'city_admin' })
    const secret = await withTotp(t.deps.db, t.deps.privacy, op.id)
    const s = await signIn(op.username, op.password)
    const statuses: number[] = []
    for (let i = 0; i < 5; i++) {
      statuses.push((await post(s, 'totp', { code: codeFor(secret, new Date(), 10 + i) })).status)
    }
    expect(statuses).toEqual([400, 400, 400, 400, 429])
    expect((await get(s, '/api/admin/auth/me')).status).toBe(401)
    // Whoever knows the password may start again, but not check another code from there.
    const again = await signIn(op.username, op.password)
    const refused = await post(again, 'totp', { code: codeFor(secret) })
    expect(refused.status).toBe(429)
    expect((await errorOf(refused)).message).toMatch(/动态验证码已连续输错 5 次.*分钟后再试/)
    const locks = await t.deps.db
      .selectFrom('auditLog')
      .select('detail')
      .where('operatorId', '=', op.id)
      .where('action', '=', 'auth.locked')
      .execute()
    expect(locks.map((l) => l.detail)).toMatchObject([{ scope: 'account_address', step: 'totp' }])
  })
})

describe('optional TOTP for other roles', () => {
  it('lets a county_handler enrol from an active session; later sign-ins then ask for a code', async () => {
    const op = await operatorWithPassword(t.deps.db, { role: 'county_handler' })
    const s = await signIn(op.username, op.password)
    expect(s.stage).toBe('active')
    const { secret } = (await (await get(s, '/api/admin/auth/totp')).json()) as { secret: string }
    const res = await post(s, 'totp', { code: codeFor(secret), currentPassword: op.password })
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ stage: 'active' })
    expect((await get(s, '/api/admin/auth/me')).status).toBe(200)

    const next = await signIn(op.username, op.password)
    expect(next.stage).toBe('totp')
  })
})

describe('enabling TOTP asks for the current password', () => {
  it('refuses a code without the password, or with a wrong one (counted as a failure), and enables nothing', async () => {
    const op = await operatorWithPassword(t.deps.db, { role: 'county_handler' })
    const s = await signIn(op.username, op.password)
    const { secret } = (await (await get(s, '/api/admin/auth/totp')).json()) as { secret: string }

    const without = await post(s, 'totp', { code: codeFor(secret) })
    expect(without.status).toBe(400)
    expect(await errorOf(without)).toMatchObject({
      message: expect.stringMatching(/请输入当前密码/) as unknown,
      details: [{ field: 'currentPassword' }],
    })
    const wrong = await post(s, 'totp', { code: codeFor(secret), currentPassword: 'not it at all' })
    expect(wrong.status).toBe(400)
    expect(await errorOf(wrong)).toMatchObject({
      message: expect.stringMatching(/当前密码不正确/) as unknown,
      details: [{ field: 'currentPassword' }],
    })
    expect((await totpColumns(op.id)).totpEnabledAt).toBeNull()
    const failures = await t.deps.db
      .selectFrom('auditLog')
      .select('detail')
      .where('operatorId', '=', op.id)
      .where('action', '=', 'auth.sign_in_failed')
      .execute()
    expect(failures.map((f) => f.detail)).toMatchObject([{ reason: 'current_password' }])

    const good = await post(s, 'totp', { code: codeFor(secret), currentPassword: op.password })
    expect(good.status).toBe(200)
    expect((await totpColumns(op.id)).totpEnabledAt).not.toBeNull()
  })

  it('ends the session after five wrong passwords, so a stolen session cannot keep guessing', async () => {
    const op = await operatorWithPassword(t.deps.db, { role: 'county_handler' })
    const s = await signIn(op.username, op.password)
    const { secret } = (await (await get(s, '/api/admin/auth/totp')).json()) as { secret: string }
    const statuses = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        const res = await post(s, 'totp', { code: codeFor(secret), currentPassword: `guess ${i}` })
        return res.status
      }),
    )
    expect(statuses.filter((x) => x === 400)).toHaveLength(4)
    expect(statuses.filter((x) => x === 200)).toHaveLength(0)
    expect((await get(s, '/api/admin/auth/me')).status).toBe(401)
    expect((await totpColumns(op.id)).totpEnabledAt).toBeNull()
  })
})
