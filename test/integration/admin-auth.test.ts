import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { hashSessionToken, sessionCookieName } from '../../api/services/admin/sessions.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { operatorWithPassword, setCookieOf } from './admin-auth-fixtures.ts'

let t: TestContext
let app: ReturnType<typeof createApp>

beforeAll(async () => {
  t = await createTestContext()
  app = createApp(t.deps)
})
afterAll(() => t.cleanup())

function signIn(
  username: string,
  password: string,
  options: { cookie?: string; origin?: string; base?: string } = {},
) {
  return app.request(
    `${options.base ?? 'http://localhost'}/api/admin/auth/sign-in`,
    {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(options.cookie ? { cookie: options.cookie } : {}),
        ...(options.origin ? { origin: options.origin } : {}),
      },
      body: JSON.stringify({ username, password }),
    },
    { clientAddress: '198.51.100.7' },
  )
}

/** The signed-in session of a response: cookie header and CSRF token. */
async function sessionOf(res: Response) {
  const body = (await res.clone().json()) as { csrfToken: string; stage: string }
  const cookie = setCookieOf(res, sessionCookieName)!
  return { cookie: cookie.pair, token: cookie.value, csrf: body.csrfToken, stage: body.stage }
}

const me = (cookie: string) => app.request('/api/admin/auth/me', { headers: { cookie } })

function changePassword(
  s: { cookie: string; csrf: string },
  body: { currentPassword: string; newPassword: string },
) {
  return app.request('/api/admin/auth/password', {
    method: 'POST',
    headers: { 'content-type': 'application/json', cookie: s.cookie, 'x-csrf-token': s.csrf },
    body: JSON.stringify(body),
  })
}

async function sessionRows(operatorId: string) {
  return t.deps.db
    .selectFrom('operatorSessions')
    .select(['tokenHash', 'stage'])
    .where('operatorId', '=', operatorId)
    .execute()
}

describe('sign-in', () => {
  it('signs in with the right password and answers with the stage, CSRF token and cookie', async () => {
    const op = await operatorWithPassword(t.deps.db)
    const res = await signIn(op.username, op.password)
    expect(res.status).toBe(200)
    const s = await sessionOf(res)
    expect(await res.json()).toMatchObject({
      stage: 'active',
      operator: { username: op.username, role: 'county_handler', countyCode: '331102' },
    })
    const who = await me(s.cookie)
    expect(who.status).toBe(200)
    expect(await who.json()).toMatchObject({ stage: 'active', csrfToken: s.csrf })
  })

  it('accepts the username in any case and with spaces around it', async () => {
    const op = await operatorWithPassword(t.deps.db)
    const res = await signIn(`  ${op.username.toUpperCase()} `, op.password)
    expect(res.status).toBe(200)
  })

  it('refuses a wrong password and an unknown username with one and the same answer', async () => {
    const op = await operatorWithPassword(t.deps.db)
    const wrong = await signIn(op.username, `${op.password}x`)
    const unknown = await signIn('nobody-here', op.password)
    expect(wrong.status).toBe(401)
    expect(unknown.status).toBe(401)
    const messages = [wrong, unknown].map(
      async (r) => ((await r.json()) as { error: { message: string } }).error.message,
    )
    const [a, b] = await Promise.all(messages)
    expect(a).toBe(b)
    expect(a).toContain('用户名或密码不正确')
    expect(setCookieOf(wrong, sessionCookieName)).toBeUndefined()
  })

  it('sets the cookie HttpOnly, SameSite=Lax, Path=/, without Max-Age, and Secure only over https', async () => {
    const op = await operatorWithPassword(t.deps.db)
    const plain = setCookieOf(await signIn(op.username, op.password), sessionCookieName)!
    expect(plain.attributes).toEqual(expect.arrayContaining(['HttpOnly', 'SameSite=Lax', 'Path=/']))
    expect(plain.attributes).not.toContain('Secure')
    expect(plain.attributes.some((a) => /^(max-age|expires)=/i.test(a))).toBe(false)

    const secure = setCookieOf(
      await signIn(op.username, op.password, {
        base: 'https://localhost',
        origin: 'https://localhost',
      }),
      sessionCookieName,
    )!
    expect(secure.attributes).toEqual(
      expect.arrayContaining(['HttpOnly', 'SameSite=Lax', 'Path=/', 'Secure']),
    )
  })

  it('sets Secure behind a TLS-terminating proxy only when TRUST_PROXY believes its X-Forwarded-Proto', async () => {
    const op = await operatorWithPassword(t.deps.db)
    const viaProxy = (trustProxy: boolean) =>
      createApp({ ...t.deps, config: { ...t.deps.config, TRUST_PROXY: trustProxy } }).request(
        'http://localhost/api/admin/auth/sign-in',
        {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-forwarded-proto': 'https' },
          body: JSON.stringify({ username: op.username, password: op.password }),
        },
        { clientAddress: '198.51.100.8' },
      )
    const trusted = setCookieOf(await viaProxy(true), sessionCookieName)!
    expect(trusted.attributes).toContain('Secure')
    const untrusted = setCookieOf(await viaProxy(false), sessionCookieName)!
    expect(untrusted.attributes).not.toContain('Secure')
  })

  it('starts a new session at sign-in and ends the one the browser had', async () => {
    const op = await operatorWithPassword(t.deps.db)
    const first = await sessionOf(await signIn(op.username, op.password))
    const second = await sessionOf(await signIn(op.username, op.password, { cookie: first.cookie }))
    expect(second.token).not.toBe(first.token)
    expect(second.csrf).not.toBe(first.csrf)
    expect((await me(first.cookie)).status).toBe(401)
    expect((await me(second.cookie)).status).toBe(200)
    const rows = await sessionRows(op.id)
    expect(rows.map((r) => r.tokenHash)).toEqual([hashSessionToken(second.token)])
  })

  it('refuses a sign-in posted from another site (Origin of another host) without a session', async () => {
    const op = await operatorWithPassword(t.deps.db)
    const res = await signIn(op.username, op.password, { origin: 'https://evil.example' })
    expect(res.status).toBe(403)
    expect(setCookieOf(res, sessionCookieName)).toBeUndefined()
    expect(await sessionRows(op.id)).toEqual([])
    expect((await signIn(op.username, op.password, { origin: 'http://localhost' })).status).toBe(
      200,
    )
  })

  it('sends a one-time password to change_password first, and nothing else is allowed there', async () => {
    const op = await operatorWithPassword(t.deps.db, { mustChangePassword: true })
    const s = await sessionOf(await signIn(op.username, op.password))
    expect(s.stage).toBe('change_password')
    const audit = await app.request('/api/admin/audit', { headers: { cookie: s.cookie } })
    expect(audit.status).toBe(403)
  })
})

describe('Cache-Control: no-store on every /api/admin response', () => {
  it('holds for sign-in (success and failure), signed-out errors, validation errors and unknown routes', async () => {
    const op = await operatorWithPassword(t.deps.db)
    const responses = [
      await signIn(op.username, op.password),
      await signIn(op.username, 'wrong password'),
      await signIn(op.username, op.password, { origin: 'https://evil.example' }),
      await app.request('/api/admin/auth/sign-in', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      }),
      await me(''),
      await app.request('/api/admin/audit'),
      await app.request('/api/admin/no-such-route'),
    ]
    for (const res of responses) expect(res.headers.get('cache-control')).toBe('no-store')
    expect(responses.map((r) => r.status)).toEqual([200, 401, 403, 400, 401, 401, 404])
  })
})

describe('password change', () => {
  it('replaces a one-time password, moves on, rotates the session and ends every other one', async () => {
    const op = await operatorWithPassword(t.deps.db, { mustChangePassword: true })
    const other = await sessionOf(await signIn(op.username, op.password))
    const s = await sessionOf(await signIn(op.username, op.password))
    const res = await changePassword(s, {
      currentPassword: op.password,
      newPassword: '新的密码 twelve+',
    })
    expect(res.status).toBe(200)
    const next = await sessionOf(res)
    expect(next.stage).toBe('active')
    expect(next.token).not.toBe(s.token)
    expect((await me(s.cookie)).status).toBe(401)
    expect((await me(other.cookie)).status).toBe(401)
    expect((await me(next.cookie)).status).toBe(200)

    const row = await t.deps.db
      .selectFrom('operators')
      .select(['mustChangePassword'])
      .where('id', '=', op.id)
      .executeTakeFirstOrThrow()
    expect(row.mustChangePassword).toBe(false)
    expect((await signIn(op.username, op.password)).status).toBe(401)
    expect((await signIn(op.username, '新的密码 twelve+')).status).toBe(200)
  })

  it('refuses a wrong current password and a new one against the policy, changing nothing', async () => {
    const op = await operatorWithPassword(t.deps.db, { mustChangePassword: true })
    const s = await sessionOf(await signIn(op.username, op.password))
    const wrong = await changePassword(s, {
      currentPassword: 'not it',
      newPassword: 'a fine new password',
    })
    expect(wrong.status).toBe(400)
    expect(await wrong.json()).toMatchObject({
      error: { details: [{ field: 'currentPassword' }] },
    })
    const refusals: [string, RegExp][] = [
      ['short', /新密码至少需要 12 个字符/],
      [`${op.username}-2026-long`, /新密码不能包含用户名/],
      [op.password, /新密码不能与当前密码相同/],
      ['123456789012', /最常见的密码之一.*请换一个/],
    ]
    for (const [newPassword, reason] of refusals) {
      const res = await changePassword(s, { currentPassword: op.password, newPassword })
      expect(res.status).toBe(400)
      const body = (await res.json()) as {
        error: { message: string; details: { field: string }[] }
      }
      expect(body.error.details[0]!.field).toBe('newPassword')
      expect(body.error.message).toMatch(reason)
    }
    expect((await me(s.cookie)).status).toBe(200)
    expect((await signIn(op.username, op.password)).status).toBe(200)
  })
})

describe('sign-out', () => {
  it('ends the session and clears the cookie', async () => {
    const op = await operatorWithPassword(t.deps.db)
    const s = await sessionOf(await signIn(op.username, op.password))
    const res = await app.request('/api/admin/auth/sign-out', {
      method: 'POST',
      headers: { cookie: s.cookie, 'x-csrf-token': s.csrf },
    })
    expect(res.status).toBe(204)
    expect(setCookieOf(res, sessionCookieName)?.value).toBe('')
    expect((await me(s.cookie)).status).toBe(401)
  })
})

describe('the OpenAPI document', () => {
  it('describes the sign-in, password, TOTP, sign-out, me and audit routes', async () => {
    const res = await app.request('/api/openapi.json')
    expect(res.status).toBe(200)
    const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> }
    const auth = '/api/admin/auth'
    expect(Object.keys(doc.paths[`${auth}/totp`] ?? {}).sort()).toEqual(['get', 'post'])
    for (const path of ['sign-in', 'password', 'sign-out']) {
      expect(Object.keys(doc.paths[`${auth}/${path}`] ?? {})).toEqual(['post'])
    }
    expect(Object.keys(doc.paths[`${auth}/me`] ?? {})).toEqual(['get'])
    const audit = doc.paths['/api/admin/audit']?.get as { parameters: { name: string }[] }
    expect(audit.parameters.map((p) => p.name).sort()).toEqual([
      'action',
      'complaintId',
      'from',
      'operator',
      'page',
      'to',
    ])
  })
})
