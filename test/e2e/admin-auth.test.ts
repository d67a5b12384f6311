import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { base32Decode, totpCode, totpStepAt } from '../../api/services/admin/auth/totp.ts'
import { createDb, type Db } from '../../db/client.ts'
import { openSession, textsOf, watchedPage, type Session } from '../support/browser.ts'
import { operatorWithPassword, type KnownOperator } from '../integration/admin-auth-fixtures.ts'

let session: Session
let db: Db
beforeAll(async () => {
  session = await openSession()
  // The product's own database: operators are created there as admin:create would.
  db = createDb({ connectionString: inject('siteDatabaseUrl'), max: 1 })
})
afterAll(async () => {
  await session.close()
  await db.destroy()
})

/** A browser of its own per test, so no cookie carries over from another. */
async function freshContext(javaScriptEnabled: boolean): Promise<BrowserContext> {
  return session.browser.newContext({
    baseURL: session.baseUrl,
    locale: 'zh-CN',
    javaScriptEnabled,
  })
}

/** Submits the page's form with `button` and waits for where the post led. */
async function submit(page: Page, button: string) {
  const answer = page.waitForResponse((r) => r.request().method() === 'POST')
  await page.getByRole('button', { name: button }).click()
  const response = await answer
  await page.waitForLoadState()
  return response
}

async function signIn(page: Page, op: KnownOperator) {
  await page.getByLabel('用户名').fill(op.username)
  await page.getByLabel('密码', { exact: true }).fill(op.password)
  return submit(page, '登录')
}

async function setNewPassword(page: Page, op: KnownOperator, newPassword: string) {
  expect(new URL(page.url()).pathname).toBe('/admin/password')
  expect(await textsOf(page, 'h1')).toEqual(['首次登录：设置新密码'])
  await page.getByLabel('一次性密码').fill(op.password)
  await page.getByLabel('新密码', { exact: true }).fill(newPassword)
  await page.getByLabel('再次输入新密码').fill(newPassword)
  return submit(page, '保存新密码')
}

/** The console's home belongs to the case pages; its heading is checked when it exists. */
async function expectConsoleHome(page: Page) {
  const url = new URL(page.url())
  expect(url.pathname).toBe('/admin')
  const home = await page.request.get('/admin')
  if (home.status() === 200) expect(await page.locator('h1').count()).toBe(1)
}

const codeFor = (secret: string, stepsAhead = 0) =>
  totpCode(base32Decode(secret), totpStepAt(new Date()) + stepsAhead)

describe('first sign-in of a county handler (JavaScript off)', () => {
  test('is sent to sign-in, changes the one-time password and lands on the console', async () => {
    const op = await operatorWithPassword(db, { role: 'county_handler', mustChangePassword: true })
    const context = await freshContext(false)
    const { page, problems } = await watchedPage(context)

    const asked = await page.goto('/admin/audit')
    expect(asked?.status()).toBe(200)
    const signInUrl = new URL(page.url())
    expect(signInUrl.pathname).toBe('/admin/sign-in')
    expect(signInUrl.searchParams.get('next')).toBe('/admin/audit')
    expect(asked?.headers()['cache-control']).toBe('no-store')
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN')

    await page.goto('/admin/sign-in')
    expect((await signIn(page, op)).status()).toBe(303)
    const cookies = await context.cookies()
    expect(cookies).toEqual([
      expect.objectContaining({
        name: 'jl_console',
        httpOnly: true,
        sameSite: 'Lax',
        secure: false,
        path: '/',
      }),
    ])
    const oneTimeCookie = cookies[0]!.value

    const newPassword = '莲都区的秤都要准 2026'
    expect((await setNewPassword(page, op, newPassword)).status()).toBe(303)
    await expectConsoleHome(page)
    const [rotated] = await context.cookies()
    expect(rotated!.value).not.toBe(oneTimeCookie)

    // A form posted without the hidden csrf field changes nothing (same origin, so only the
    // token stops it), neither the password nor the sign-in.
    const hashOf = async () =>
      (
        await db
          .selectFrom('operators')
          .select('passwordHash')
          .where('username', '=', op.username)
          .executeTakeFirstOrThrow()
      ).passwordHash
    const before = await hashOf()
    const sameOrigin = { origin: session.baseUrl }
    const forged = await page.request.post('/admin/password', {
      headers: sameOrigin,
      form: {
        currentPassword: newPassword,
        newPassword: 'forged password 2026',
        confirmPassword: 'forged password 2026',
      },
    })
    expect(forged.status()).toBe(403)
    expect(await forged.text()).toContain('安全令牌不符')
    expect(await hashOf()).toBe(before)
    const signOut = await page.request.post('/admin/sign-out', { headers: sameOrigin, form: {} })
    expect(signOut.status()).toBe(403)
    expect((await page.request.get('/admin/password', { maxRedirects: 0 })).status()).toBe(200)

    // Not a city_admin: the audit log is refused.
    const audit = await page.request.get('/admin/audit', { maxRedirects: 0 })
    expect(audit.status()).toBe(403)
    // Nothing went wrong on the way, except a console home not built yet (it is another page's).
    const home = `${session.baseUrl}/admin`
    expect(problems.filter((p) => !p.includes(`${home}:`) && p !== `HTTP 404 for ${home}`)).toEqual(
      [],
    )
    await context.close()
  })
})

describe('first sign-in of a city_admin (JavaScript on)', () => {
  test('changes the password, enrols TOTP from the secret on the page, and signs out', async () => {
    const op = await operatorWithPassword(db, { role: 'city_admin', mustChangePassword: true })
    const context = await freshContext(true)
    const page = await context.newPage()
    await page.goto('/admin/sign-in')
    await signIn(page, op)
    await setNewPassword(page, op, 'city admin winter 2026')

    expect(new URL(page.url()).pathname).toBe('/admin/totp')
    expect(await textsOf(page, 'h1')).toEqual(['绑定动态验证码'])
    const [grouped] = await textsOf(page, '#totp-secret')
    expect(grouped).toMatch(/^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/)
    const secret = grouped!.replace(/ /g, '')
    // Inside a closed <details>: present for screen readers and copying, not shown until opened.
    expect(await page.locator('.totp-uri').textContent()).toContain(`secret=${secret}`)

    // Enabling a second factor asks for the password again; without it nothing is enabled.
    await page.getByLabel('6 位验证码').fill(codeFor(secret))
    expect((await submit(page, '验证并启用')).status()).toBe(400)
    expect((await textsOf(page, '#totp-password-error'))[0]).toContain('请填写当前密码')
    await page.getByLabel('6 位验证码').fill(codeFor(secret))
    await page.getByLabel('当前密码').fill('city admin winter 2026')
    expect((await submit(page, '验证并启用')).status()).toBe(303)
    await expectConsoleHome(page)

    // Signed in fully: the audit log shows this very sign-in.
    const audit = await page.goto(`/admin/audit?operator=${op.username}`)
    expect(audit?.status()).toBe(200)
    expect(audit?.headers()['cache-control']).toBe('no-store')
    const rows = await textsOf(page, 'tbody tr')
    expect(rows.some((r) => r.includes('启用动态验证码'))).toBe(true)
    expect(rows.some((r) => r.includes('修改密码'))).toBe(true)

    await submit(page, '退出')
    expect(new URL(page.url()).pathname).toBe('/admin/sign-in')
    expect(await textsOf(page, '[role="status"]')).toEqual(['您已安全退出。'])
    await page.goto('/admin/audit')
    expect(new URL(page.url()).pathname).toBe('/admin/sign-in')
    await context.close()
  })

  test('a wrong code is refused with a Chinese message beside the field', async () => {
    const op = await operatorWithPassword(db, { role: 'city_admin', mustChangePassword: true })
    const context = await freshContext(false)
    const page = await context.newPage()
    await page.goto('/admin/sign-in?next=/admin/audit')
    await signIn(page, op)
    await setNewPassword(page, op, 'another admin password')
    const [grouped] = await textsOf(page, '#totp-secret')
    const secret = grouped!.replace(/ /g, '')

    await page.getByLabel('6 位验证码').fill(codeFor(secret, 10))
    await page.getByLabel('当前密码').fill('another admin password')
    expect((await submit(page, '验证并启用')).status()).toBe(400)
    const message = '验证码不正确，请输入验证器 App 上当前显示的 6 位数字'
    expect((await textsOf(page, '[role="alert"]'))[0]).toContain(message)
    expect((await textsOf(page, '#totp-code-error'))[0]).toContain(message)
    expect(await page.getByLabel('6 位验证码').getAttribute('aria-invalid')).toBe('true')
    // Same secret still shown; the right code now goes on to the page first asked for.
    expect(await textsOf(page, '#totp-secret')).toEqual([grouped])
    await page.getByLabel('6 位验证码').fill(codeFor(secret))
    await page.getByLabel('当前密码').fill('another admin password')
    await submit(page, '验证并启用')
    expect(new URL(page.url()).pathname).toBe('/admin/audit')
    await context.close()
  })
})
