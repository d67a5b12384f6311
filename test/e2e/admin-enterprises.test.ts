import { operatorSession } from '../support/operators.ts'
import { randomBytes } from 'node:crypto'
import type { BrowserContext } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { sessionCookieName } from '../../api/services/admin/sessions.ts'
import { createDb, type Db } from '../../db/client.ts'
import { openSession, textsOf, watchedPage, type Session } from '../support/browser.ts'

let session: Session
let db: Db
let token: string
const username = `e2eadmin${randomBytes(3).toString('hex')}`
/** A business no other browser test looks at: the last active one of the last county. */
let target: { uscc: string; name: string }

beforeAll(async () => {
  session = await openSession()
  db = createDb({ connectionString: inject('siteDatabaseUrl'), max: 1 })
  ;({ token } = await operatorSession(db, 'city_admin', null, username))
  target = await db
    .selectFrom('enterprises')
    .select(['uscc', 'name'])
    .where('status', '=', 'active')
    .where('countyCode', '=', '331181')
    .orderBy('name', 'desc')
    .executeTakeFirstOrThrow()
})

afterAll(async () => {
  await session.close()
  await db.destroy()
})

async function signIn(context: BrowserContext) {
  await context.addCookies([{ name: sessionCookieName, value: token, url: session.baseUrl }])
}

const statusOf = async () =>
  (
    await db
      .selectFrom('enterprises')
      .select('status')
      .where('uscc', '=', target.uscc)
      .executeTakeFirstOrThrow()
  ).status

describe('enterprises in the console', () => {
  test('an administrator finds a business and suspends it with a reason, without JavaScript', async () => {
    await signIn(session.withoutJs)
    const { page, problems } = await watchedPage(session.withoutJs)
    const list = await page.goto('/admin/enterprises')
    expect(list?.headers()['cache-control']).toBe('no-store')
    await page.getByLabel('名称、地址或信用代码').fill(target.name)
    await page.getByLabel('认定状态').selectOption({ label: '有效' })
    await page.getByRole('button', { name: '查找' }).click()
    await page.getByRole('link', { name: target.name, exact: true }).click()
    await page.waitForURL(`**/admin/enterprises/${target.uscc}`)
    expect(await textsOf(page, 'h1')).toEqual([target.name])

    // A blank reason is refused by the server, next to the field and in the summary.
    const suspend = page.locator('#action-suspend')
    await suspend.getByLabel('变更原因（必填）').fill('   ')
    await suspend.getByRole('button', { name: '暂停' }).click()
    const summary = page.locator('.error-summary[role="alert"]')
    expect(await summary.innerText()).toContain('请填写变更原因')
    expect(await page.locator('#suspend-reason').getAttribute('aria-invalid')).toBe('true')
    expect(await statusOf()).toBe('active')

    await page
      .locator('#action-suspend')
      .getByLabel('变更原因（必填）')
      .fill('专项检查发现电子秤未按期检定')
    await page.locator('#action-suspend').getByRole('button', { name: '暂停' }).click()
    await page.waitForURL(`**/admin/enterprises/${target.uscc}?done=suspend`)
    expect(await page.locator('[role="status"]').innerText()).toContain('已暂停')
    expect(await textsOf(page, '.facts .badge')).toEqual(['暂停'])
    const firstRow = await textsOf(page, '.history-table tbody tr:first-child td')
    expect(firstRow.slice(1, 5)).toEqual([
      '暂停',
      '—',
      '专项检查发现电子秤未按期检定',
      `后台（${username}）`,
    ])
    expect(await statusOf()).toBe('suspended')
    // Only actions a suspended business allows are offered.
    expect(await textsOf(page, 'section[aria-labelledby="actions-title"] h3')).toEqual([
      '恢复',
      '撤销',
      '修改',
    ])
    // The only problem is the refused blank reason (400), seen as a response and a console line.
    expect(problems.filter((p) => !/HTTP 400|status of 400/.test(p))).toEqual([])
  })

  test('a page left open while a colleague acted says so and saves nothing', async () => {
    await signIn(session.withJs)
    const { page: stale } = await watchedPage(session.withJs)
    const { page: colleague } = await watchedPage(session.withJs)
    await stale.goto(`/admin/enterprises/${target.uscc}`)
    await colleague.goto(`/admin/enterprises/${target.uscc}`)

    await colleague
      .locator('#action-reinstate')
      .getByLabel('变更原因（必填）')
      .fill('整改完成，复查合格')
    await colleague.locator('#action-reinstate').getByRole('button', { name: '恢复' }).click()
    await colleague.waitForURL(/done=reinstate/)
    expect(await statusOf()).toBe('active')

    await stale.locator('#action-revoke').getByLabel('变更原因（必填）').fill('旧页面上的撤销')
    await stale.locator('#action-revoke').getByRole('button', { name: '撤销' }).click()
    const alert = stale.locator('.error-summary[role="alert"]')
    expect(await alert.innerText()).toContain('已被他人修改')
    expect(await textsOf(stale, '.facts .badge')).toEqual(['有效'])
    expect(await statusOf()).toBe('active')
  })

  test('a signed-out visitor is sent to sign in, with this page to return to', async () => {
    const context = await session.browser.newContext({ baseURL: session.baseUrl })
    try {
      const page = await context.newPage()
      await page.goto(`/admin/enterprises/${target.uscc}`)
      const url = new URL(page.url())
      expect(url.pathname).toBe('/admin/sign-in')
      expect(url.searchParams.get('next')).toBe(`/admin/enterprises/${target.uscc}`)
    } finally {
      await context.close()
    }
  })
})
