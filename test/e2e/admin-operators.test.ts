import { operatorSession } from '../support/operators.ts'
import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createDb, type Db } from '../../db/client.ts'
import type { OperatorRole } from '../../db/database.ts'

/**
 * The account pages (/admin/operators), as a browser without JavaScript uses them: plain forms
 * posted back to the page, with the session's CSRF token, against the served product.
 */

let db: Db
let baseUrl: string
let admin: { id: string; cookie: string }

const signedIn = (role: OperatorRole, countyCode: string | null = null) =>
  operatorSession(db, role, countyCode)

const page = (cookie: string, path: string) =>
  fetch(new URL(path, baseUrl), { redirect: 'manual', headers: { cookie } })

function postForm(cookie: string, path: string, fields: Record<string, string>) {
  return fetch(new URL(path, baseUrl), {
    method: 'POST',
    redirect: 'manual',
    headers: {
      cookie,
      origin: baseUrl,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(fields).toString(),
  })
}

/** The hidden `csrf` field of a console page, as a browser would send it back. */
async function csrfOf(cookie: string, path: string): Promise<string> {
  const html = await (await page(cookie, path)).text()
  const token = /name="csrf" value="([^"]+)"/.exec(html)?.[1]
  expect(token).toBeDefined()
  return token!
}

const oneTimePassword = /[A-Za-z2-9]{5}(?:-[A-Za-z2-9]{5}){3}/

beforeAll(async () => {
  baseUrl = inject('siteUrl')
  db = createDb({ connectionString: inject('siteDatabaseUrl'), max: 1 })
  admin = await signedIn('city_admin')
})
afterAll(() => db.destroy())

describe('the account list page', () => {
  it('creates an account and shows its one-time password once, with a warning', async () => {
    const username = `created.${randomBytes(3).toString('hex')}`
    const csrf = await csrfOf(admin.cookie, '/admin/operators')
    const res = await postForm(admin.cookie, '/admin/operators', {
      csrf,
      username,
      role: 'county_handler',
      county: '331102',
    })
    expect(res.status).toBe(201)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const html = await res.text()
    expect(html).toContain('账号已创建')
    expect(html).toContain('只显示这一次')
    const password = oneTimePassword.exec(html)?.[0]
    expect(password).toBeDefined()

    const again = await (await page(admin.cookie, '/admin/operators')).text()
    expect(again).toContain(username)
    expect(again).not.toContain(password)
  })

  it('shows what to fix in an error summary and next to the field', async () => {
    const csrf = await csrfOf(admin.cookie, '/admin/operators')
    const res = await postForm(admin.cookie, '/admin/operators', {
      csrf,
      username: 'no.county.here',
      role: 'county_handler',
      county: '',
    })
    expect(res.status).toBe(400)
    const html = await res.text()
    expect(html).toMatch(/class="error-summary" role="alert"/)
    expect(html).toContain('href="#new-county"')
    expect(html).toContain('区县承办人必须选择所属区县')
    expect(html).toMatch(/id="new-county"[^>]*aria-invalid="true"/)
    const created = await db
      .selectFrom('operators')
      .select('id')
      .where('username', '=', 'no.county.here')
      .execute()
    expect(created).toEqual([])
  })

  it('refuses a form posted without the session CSRF token and creates nothing', async () => {
    const username = `nocsrf.${randomBytes(3).toString('hex')}`
    const res = await postForm(admin.cookie, '/admin/operators', { username, role: 'viewer' })
    expect(res.status).toBe(403)
    const rows = await db
      .selectFrom('operators')
      .select('id')
      .where('username', '=', username)
      .execute()
    expect(rows).toEqual([])
  })
})

describe("an account's page", () => {
  it('disables an account: its session ends at once; the page says so after a redirect', async () => {
    const target = await signedIn('viewer')
    expect((await page(target.cookie, '/admin')).status).toBe(200)
    const path = `/admin/operators/${target.id}`
    const res = await postForm(admin.cookie, path, {
      csrf: await csrfOf(admin.cookie, path),
      action: 'disable',
    })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`${path}?done=disable`)
    expect(await (await page(admin.cookie, `${path}?done=disable`)).text()).toContain('已停用账号')
    const after = await page(target.cookie, '/admin')
    expect(after.status).toBe(303)
    expect(after.headers.get('location')).toMatch(/^\/admin\/sign-in/)
  })

  it('resets a password and shows the new one-time password on that answer only', async () => {
    const target = await signedIn('county_handler', '331121')
    const path = `/admin/operators/${target.id}`
    const res = await postForm(admin.cookie, path, {
      csrf: await csrfOf(admin.cookie, path),
      action: 'reset_password',
    })
    expect(res.status).toBe(200)
    const html = await res.text()
    expect(html).toContain('密码已重置')
    const password = oneTimePassword.exec(html)?.[0]
    expect(password).toBeDefined()
    expect(await (await page(admin.cookie, path)).text()).not.toContain(password)
    expect((await page(target.cookie, '/admin')).status).toBe(303)
  })

  it('moves a handler to another county from its page; a scope that does not fit is explained', async () => {
    const target = await signedIn('county_handler', '331102')
    const path = `/admin/operators/${target.id}`
    const csrf = await csrfOf(admin.cookie, path)
    const rescope = (county: string, role = 'county_handler') =>
      postForm(admin.cookie, path, { csrf, intent: 'scope', role, county })
    const unfit = await rescope('')
    expect(unfit.status).toBe(400)
    expect(await unfit.text()).toContain('区县承办人必须选择所属区县')

    // The problem stands beside the county, which is marked and described by it, and the form
    // keeps what was chosen (an administrator's role), not the account's current scope.
    const mixed = await rescope('331102', 'city_admin')
    expect(mixed.status).toBe(400)
    const form = await mixed.text()
    const county = /<select[^>]*id="scope-county"[^>]*>/.exec(form)?.[0] ?? ''
    expect(county).toContain('aria-invalid="true"')
    expect(county).toContain('aria-describedby="scope-county-hint scope-county-error"')
    expect(form).toMatch(
      /<p class="field-error" id="scope-county-error">.*市局管理员管理全部区县.*<\/p>/s,
    )
    expect(/<select[^>]*id="scope-role"[^>]*>/.exec(form)?.[0]).not.toContain('aria-invalid')
    expect(form).toMatch(/<option value="city_admin" selected/)
    expect(form).not.toMatch(/<option value="county_handler" selected/)

    const res = await rescope('331121')
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`${path}?done=change_scope`)
    const html = await (await page(admin.cookie, `${path}?done=change_scope`)).text()
    expect(html).toContain('已调整角色和区县')
    expect(html).toMatch(/<option value="331121" selected/)
    // Signed out, to sign in again to the new county.
    expect((await page(target.cookie, '/admin')).status).toBe(303)
  })

  it("offers no disable or reset on the administrator's own page, and refuses one posted anyway", async () => {
    const path = `/admin/operators/${admin.id}`
    const html = await (await page(admin.cookie, path)).text()
    expect(html).not.toContain('value="disable"')
    expect(html).not.toContain('value="reset_password"')
    expect(html).not.toContain('value="scope"')
    const res = await postForm(admin.cookie, path, {
      csrf: await csrfOf(admin.cookie, path),
      action: 'disable',
    })
    expect(res.status).toBe(403)
    expect(await res.text()).toContain('不能停用自己的账号')
    expect((await page(admin.cookie, '/admin/operators')).status).toBe(200)
  })
})

describe('console sessions in the served product', () => {
  it('are remembered while it listens for changes, and one ended elsewhere is refused at once', async () => {
    // `npm start` listens on console_sessions (session-cache.ts) on a connection of its own.
    const listening = await sql<{ n: string }>`SELECT count(*) AS n FROM pg_stat_activity
      WHERE datname = current_database() AND query = 'LISTEN console_sessions'`.execute(db)
    expect(Number(listening.rows[0]!.n)).toBeGreaterThanOrEqual(1)

    const handler = await signedIn('county_handler', '331102')
    const me = () => page(handler.cookie, '/api/admin/auth/me')
    expect((await me()).status).toBe(200)
    expect((await me()).status).toBe(200)
    // This test's own connection stands for another instance: the product hears of it through
    // PostgreSQL, well within its 10 s memory.
    await db.deleteFrom('operatorSessions').where('operatorId', '=', handler.id).execute()
    const deadline = Date.now() + 2_000
    while ((await me()).status !== 401) {
      expect(Date.now(), 'the ended session was still admitted after 2 s').toBeLessThan(deadline)
      await new Promise((r) => setTimeout(r, 25))
    }
  })
})
