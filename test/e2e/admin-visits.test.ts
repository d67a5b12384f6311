import AxeBuilder from '@axe-core/playwright'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { sessionCookieName } from '../../api/services/admin/sessions.ts'
import { createDb, type Db } from '../../db/client.ts'
import { openSession, textsOf, watchedPage, type Session } from '../support/browser.ts'
import { operatorSession } from '../support/operators.ts'
import { insertDrawnVisit } from '../support/visits.ts'

/**
 * Issue 22, point 4: an inspector records a visit on a phone in the field, 360 px wide and
 * without JavaScript: more instrument rows come from the server, nothing typed is lost, a
 * refusal links to its fields, and the page passes the accessibility audit.
 */

let session: Session
let phone: BrowserContext
let db: Db
let visit: Awaited<ReturnType<typeof insertDrawnVisit>>
let viewerToken: string

beforeAll(async () => {
  session = await openSession({ width: 360, height: 740 })
  db = createDb({ connectionString: inject('siteDatabaseUrl'), max: 1 })
  const first = await operatorSession(db, 'county_handler', '331102')
  const second = await operatorSession(db, 'county_handler', '331102')
  visit = await insertDrawnVisit(db, {
    countyCode: '331102',
    inspectorIds: [first.id, second.id],
    name: '丽水城东加油站',
  })
  viewerToken = (await operatorSession(db, 'viewer', '331102')).token
  phone = session.withoutJs
  for (const context of [phone, session.withJs]) {
    await context.addCookies([
      { name: sessionCookieName, value: first.token, url: session.baseUrl },
    ])
  }
})

afterAll(async () => {
  await session.close()
  await db.destroy()
})

/**
 * The axe audit of what the phone shows: axe runs as a script, so the page's HTML as the phone
 * got it (JavaScript off) is audited in a tab with JavaScript on, at the same address and width.
 */
async function audit(page: Page) {
  const html = await page.content()
  const tab = await session.withJs.newPage()
  try {
    await tab.goto(`/admin/visits/${visit.visitId}`)
    await tab.setContent(html, { waitUntil: 'load' })
    const { violations } = await new AxeBuilder({ page: tab })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
      .analyze()
    return violations.map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    )
  } finally {
    await tab.close()
  }
}

const sideways = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)

const field = (page: Page, id: string) => page.locator(`[id="${id}"]`)

const stored = () =>
  db
    .selectFrom('inspectionVisits')
    .select(['status', 'result', 'publishedAt', 'rectificationDue'])
    .where('id', '=', visit.visitId)
    .executeTakeFirstOrThrow()

describe('recording a visit on a phone without JavaScript', () => {
  test('a failed fuel dispenser, with more rows, a refusal and the save', async () => {
    const { page, problems } = await watchedPage(phone)
    page.setDefaultTimeout(10_000)
    const res = await page.goto(`/admin/visits/${visit.visitId}`)
    expect(res?.status()).toBe(200)
    expect(res?.headers()['cache-control']).toBe('no-store')
    expect(await textsOf(page, 'h1')).toEqual(['检查记录：丽水城东加油站'])
    expect(await page.locator('fieldset.instrument').count()).toBe(3)
    expect(await field(page, 'instruments.0.errorValue').getAttribute('inputmode')).toBe('decimal')
    expect(await sideways(page)).toBeLessThanOrEqual(0)
    expect(await audit(page)).toEqual([])

    // The first dispenser, typed in the field.
    await field(page, 'instruments.0.kind').fill('加油机')
    await field(page, 'instruments.0.makerModel').fill('正星 ZX-2260')
    await field(page, 'instruments.0.serialNo').fill('ZX2024-0091')
    await field(page, 'instruments.0.verificationValid-yes').check()
    await field(page, 'instruments.0.passed-no').check()
    await field(page, 'instruments.0.errorValue').fill('-0.45')
    await field(page, 'findings').fill('2 号枪示值误差超出最大允许误差 ±0.3%。')

    // Three more rows, from the server: what was typed is still there.
    await page.getByRole('button', { name: '再加 3 行' }).click()
    expect(await page.locator('fieldset.instrument').count()).toBe(6)
    expect(await field(page, 'instruments.0.kind').inputValue()).toBe('加油机')
    expect(await field(page, 'instruments.0.passed-no').isChecked()).toBe(true)
    expect(await field(page, 'instruments.0.errorValue').inputValue()).toBe('-0.45')
    expect(await field(page, 'findings').inputValue()).toContain('2 号枪')
    expect((await stored()).status).toBe('planned')

    // The second dispenser in a later row; the overall result and the order are forgotten.
    await field(page, 'instruments.4.kind').fill('加油机')
    await field(page, 'instruments.4.serialNo').fill('ZX2024-0092')
    await field(page, 'instruments.4.verificationValid-yes').check()
    await field(page, 'instruments.4.passed-yes').check()
    // Enter in a field saves (as a phone's "Go" key does), rather than adding rows.
    await field(page, 'instruments.4.serialNo').press('Enter')
    await page.waitForLoadState()
    const summary = page.locator('.error-summary[role="alert"]')
    expect(await summary.innerText()).toContain('请选择检查结论')
    expect(await page.locator('fieldset.instrument').count()).toBe(6)
    expect(await summary.locator('a').first().getAttribute('href')).toBe('#result-pass')
    expect(await field(page, 'instruments.4.serialNo').inputValue()).toBe('ZX2024-0092')
    expect(await field(page, 'instruments.0.passed-no').isChecked()).toBe(true)
    expect(await sideways(page)).toBeLessThanOrEqual(0)
    expect(await audit(page)).toEqual([])
    expect((await stored()).status).toBe('planned')

    // 合格 contradicts the failed dispenser, and a failed visit needs its order to rectify.
    await field(page, 'result-pass').check()
    await page.getByRole('button', { name: '保存检查记录' }).click()
    const problemsShown = await textsOf(page, '.error-summary li')
    expect(problemsShown.join(' ')).toContain('检查结论应为“不合格”')

    await field(page, 'result-fail').check()
    await field(page, 'rectificationDue').fill('2099-01-31')
    await page.getByRole('button', { name: '保存检查记录' }).click()
    await page.waitForURL(`**/admin/visits/${visit.visitId}?done=saved`)
    expect(await page.locator('#visit-done').innerText()).toContain('检查记录已保存')
    expect(await page.locator('#visit-status').innerText()).toBe('整改中')
    const saved = await stored()
    expect(saved).toMatchObject({ status: 'rectifying', result: 'fail' })
    expect(saved.publishedAt).not.toBeNull()
    const instruments = await db
      .selectFrom('inspectedInstruments')
      .select(['serialNo', 'passed', 'measuredError'])
      .where('visitId', '=', visit.visitId)
      .orderBy('position')
      .execute()
    expect(instruments).toEqual([
      { serialNo: 'ZX2024-0091', passed: false, measuredError: '-0.45%' },
      { serialNo: 'ZX2024-0092', passed: true, measuredError: '' },
    ])
    expect(await audit(page)).toEqual([])
    // The two refusals answered 400, as they should; nothing else went wrong.
    const refusals = /HTTP 400|status of 400/
    expect(problems.filter((p) => !refusals.test(p))).toEqual([])
  }, 150_000)

  // Reads the visit the test above saved: a viewer's page is the record, without the form.
  test('a viewer reads the saved record and gets no form', async () => {
    const context = await session.browser.newContext({
      baseURL: session.baseUrl,
      locale: 'zh-CN',
      viewport: { width: 360, height: 740 },
      javaScriptEnabled: false,
    })
    try {
      await context.addCookies([
        { name: sessionCookieName, value: viewerToken, url: session.baseUrl },
      ])
      const { page, problems } = await watchedPage(context)
      const res = await page.goto(`/admin/visits/${visit.visitId}`)
      expect(res?.status()).toBe(200)
      expect(await page.locator('form').count()).toBe(1) // sign-out only
      expect(await textsOf(page, 'table tbody tr td:nth-child(3)')).toEqual([
        'ZX2024-0091',
        'ZX2024-0092',
      ])
      expect(await sideways(page)).toBeLessThanOrEqual(0)
      expect(problems).toEqual([])
    } finally {
      await context.close()
    }
  })
})
