import { operatorSession } from '../support/operators.ts'
import AxeBuilder from '@axe-core/playwright'
import type { BrowserContext } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { sessionCookieName } from '../../api/services/admin/sessions.ts'
import { createDb, type Db } from '../../db/client.ts'
import type { OperatorRole } from '../../db/database.ts'
import { launchBrowser } from '../support/browser.ts'

/**
 * An automated accessibility audit (axe-core, WCAG 2.1 A and AA rules) of the console and the
 * one-page complaint form: every violation fails, with the rule and the elements named. Automated
 * rules find only part of what a screen-reader user meets; the browser tests' keyboard and
 * label checks cover more.
 */

let db: Db
let browser: Awaited<ReturnType<typeof launchBrowser>>
let resident: BrowserContext
let handler: BrowserContext
let admin: BrowserContext
let caseId: string
let uscc: string

async function signedInContext(role: OperatorRole, countyCode: string | null) {
  const { token } = await operatorSession(db, role, countyCode)
  const context = await browser.newContext({ baseURL: inject('siteUrl'), locale: 'zh-CN' })
  await context.addCookies([{ name: sessionCookieName, value: token, url: inject('siteUrl') }])
  return context
}

async function audit(context: BrowserContext, path: string, status = 200) {
  const page = await context.newPage()
  try {
    const res = await page.goto(path)
    expect(res?.status(), path).toBe(status)
    const { violations } = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
      .analyze()
    return violations.map(
      (v) =>
        `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    )
  } finally {
    await page.close()
  }
}

beforeAll(async () => {
  db = createDb({ connectionString: inject('siteDatabaseUrl'), max: 1 })
  browser = await launchBrowser()
  resident = await browser.newContext({ baseURL: inject('siteUrl'), locale: 'zh-CN' })
  handler = await signedInContext('county_handler', '331102')
  admin = await signedInContext('city_admin', null)
  const filed = await fetch(new URL('/api/complaints', inject('siteUrl')), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.90' },
    body: JSON.stringify({
      kind: 'complaint',
      category: 'short_weight',
      county: '331102',
      merchantName: '无障碍检查摊位',
      address: '城东菜场 9 号',
      occurredAt: '2026-11-20T09:30',
      description: '买了一斤排骨，回家复秤只有九两。',
      name: '李四',
      phone: '13900001111',
      consent: true,
      claimedQuantity: 1,
      measuredQuantity: 0.9,
      unit: 'jin',
      unitPrice: 30,
    }),
  })
  const { trackingNo } = (await filed.json()) as { trackingNo: string }
  caseId = (
    await db
      .selectFrom('complaints')
      .select('id')
      .where('trackingNo', '=', trackingNo)
      .executeTakeFirstOrThrow()
  ).id
  uscc = (await db.selectFrom('enterprises').select('uscc').limit(1).executeTakeFirstOrThrow()).uscc
})

afterAll(async () => {
  await browser.close()
  await db.destroy()
})

// Each audit opens its own page: they run side by side.
describe.concurrent('accessibility (axe-core, WCAG 2.1 AA rules)', () => {
  it('finds the violations it is meant to find (the audit itself works here)', async () => {
    const page = await resident.newPage()
    try {
      await page.setContent(
        '<html lang="zh-CN"><title>t</title><main><img src="a.png"><input></main></html>',
      )
      const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a']).analyze()
      expect(violations.map((v) => v.id)).toEqual(expect.arrayContaining(['image-alt', 'label']))
    } finally {
      await page.close()
    }
  })

  // Every public page a resident reads is audited in the walk over small screens
  // (layout.test.ts), and every complaint step in complaint-steps.test.ts; here, the forms and
  // pages those walks do not open.
  it('the console sign-in page has no violations', async () => {
    expect(await audit(resident, '/admin/sign-in')).toEqual([])
  })

  it('the complaint form with a business filled in, or saying its code is not on the list, has no violations', async () => {
    expect(await audit(resident, `/complaints/submit?business=${uscc}`)).toEqual([])
    expect(await audit(resident, '/complaints/submit?business=91331100MA2A00000Y')).toEqual([])
  })

  it("the handler's home, queue and case page have no violations", async () => {
    for (const path of ['/admin', '/admin/cases', `/admin/cases/${caseId}`]) {
      expect(await audit(handler, path), path).toEqual([])
    }
  })

  it("the handler's monthly reports page has no violations", async () => {
    expect(await audit(handler, '/admin/reports')).toEqual([])
  })

  it('the credit record pages have no violations', async () => {
    for (const path of ['/admin/records', `/admin/records/${uscc}`]) {
      expect(await audit(admin, path), path).toEqual([])
    }
  })

  it("the city admin's enterprise, audit, notification and Open311 pages have no violations", async () => {
    for (const path of [
      '/admin/enterprises',
      `/admin/enterprises/${uscc}`,
      '/admin/audit',
      '/admin/notifications',
      '/admin/open311',
    ]) {
      expect(await audit(admin, path), path).toEqual([])
    }
  })
})
