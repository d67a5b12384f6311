import AxeBuilder from '@axe-core/playwright'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { sessionCookieName } from '../../api/services/admin/sessions.ts'
import { createDb, type Db } from '../../db/client.ts'
import { launchBrowser, textsOf, watchedPage } from '../support/browser.ts'
import { operatorSession } from '../support/operators.ts'

// Issue 22, acceptance 3 (the campaign half): a campaign is created and drawn in the console and
// its results page appears only after 公示, all at 320 px with JavaScript off, accessible.

const county = '331125' // 云和县: no other browser test draws there
const title = `云和县衡器专项检查 ${Date.now().toString(36)}`

let db: Db
let browser: Awaited<ReturnType<typeof launchBrowser>>
let admin: BrowserContext
let resident: BrowserContext
let adminChecks: BrowserContext
let residentChecks: BrowserContext
let handlers: string[]
let sector: { code: string; name: string }

const narrow = { width: 320, height: 720 }

async function context(cookie?: string, javaScriptEnabled = false) {
  const ctx = await browser.newContext({
    baseURL: inject('siteUrl'),
    locale: 'zh-CN',
    viewport: narrow,
    javaScriptEnabled,
  })
  // A missing control fails at once, naming itself, instead of the whole test timing out.
  ctx.setDefaultTimeout(10_000)
  if (cookie)
    await ctx.addCookies([{ name: sessionCookieName, value: cookie, url: inject('siteUrl') }])
  return ctx
}

/**
 * The page at this address, as `as` sees it, neither scrolls sideways at 320 px nor breaks a
 * WCAG 2.1 AA rule. Checked in a context with scripts on (the measuring and axe need them); the
 * page itself sends none.
 */
async function checkPage(as: 'admin' | 'resident', address: string) {
  const page = await (as === 'admin' ? adminChecks : residentChecks).newPage()
  try {
    await page.goto(address)
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
    )
    expect(overflow, `${address} scrolls sideways at 320 px`).toBeLessThanOrEqual(0)
    const { violations } = await new AxeBuilder({ page })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
      .analyze()
    expect(
      violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    ).toEqual([])
  } finally {
    await page.close()
  }
}

const pathOf = (page: Page) => new URL(page.url()).pathname

beforeAll(async () => {
  db = createDb({ connectionString: inject('siteDatabaseUrl'), max: 1 })
  browser = await launchBrowser()
  const { token } = await operatorSession(db, 'city_admin')
  admin = await context(token)
  resident = await context()
  adminChecks = await context(token, true)
  residentChecks = await context(undefined, true)
  // Two inspectors of the county, so each visit can have two.
  handlers = [
    (await operatorSession(db, 'county_handler', county)).username,
    (await operatorSession(db, 'county_handler', county)).username,
  ]
  // The sector with the most certified businesses in the county, so the pool is not empty.
  const best = await db
    .selectFrom('enterprises as e')
    .innerJoin('sectors as s', 's.code', 'e.sectorCode')
    .select(['s.code', 's.name', (eb) => eb.fn.countAll<string>().as('n')])
    .where('e.countyCode', '=', county)
    .where('e.status', '=', 'active')
    .groupBy(['s.code', 's.name'])
    .orderBy('n', 'desc')
    .executeTakeFirstOrThrow()
  sector = { code: best.code, name: best.name }
})

afterAll(async () => {
  await admin.close()
  await resident.close()
  await adminChecks.close()
  await residentChecks.close()
  await browser.close()
  await db.destroy()
})

describe('a special-inspection campaign, without JavaScript at 320 px', () => {
  let campaignPath = ''
  let seed = ''

  test('is created and drawn in the console', { timeout: 120_000 }, async () => {
    const { page, problems } = await watchedPage(admin)
    await page.goto('/admin/campaigns')
    await checkPage('admin', '/admin/campaigns')
    await page.getByLabel('名称').fill(title)
    await page.getByLabel('检查类别').selectOption({ label: '集贸市场（超市）衡器' })
    await page.getByLabel('开始日期').fill('2026-12-01')
    await page.getByLabel('结束日期').fill('2026-12-31')
    await page.getByRole('checkbox', { name: '云和县' }).check()
    await page.getByRole('checkbox', { name: sector.name, exact: true }).check()
    await page.getByLabel('抽取单位数').fill('2')
    await page.getByRole('button', { name: '新建专项检查' }).click()
    expect(page.url()).toMatch(/\/admin\/campaigns\/\d+\?done=created$/)
    campaignPath = new URL(page.url()).pathname
    expect(await textsOf(page, 'h1')).toEqual([title])

    await page.getByRole('button', { name: '开始抽取' }).click()
    expect(page.url()).toContain('?done=draw')
    const rows = page.locator(
      '#visits-title + .table-scroll tbody tr, section:has(#visits-title) tbody tr',
    )
    expect(await rows.count()).toBe(2)
    for (const inspectors of await rows.locator('td:nth-child(4)').allInnerTexts()) {
      expect(inspectors.split('、').sort()).toEqual([...handlers].sort())
    }
    seed = (await page.locator('section:has(#drawn-title) code').first().innerText()).trim()
    expect(seed).toMatch(/^[0-9a-f]{32}$/)
    await checkPage('admin', pathOf(page))
    expect(problems).toEqual([])
  })

  test(
    'has no public page before 公示, and lists the drawn businesses after',
    {
      timeout: 120_000,
    },
    async () => {
      const publicPath = campaignPath.replace('/admin/campaigns/', '/inspections/')
      const page = await resident.newPage()
      expect((await page.goto(publicPath))?.status()).toBe(404)
      await page.goto('/inspections')
      expect(await page.getByRole('link', { name: title }).count()).toBe(0)

      const consolePage = await admin.newPage()
      await consolePage.goto(campaignPath)
      await consolePage.getByLabel('公示原因').fill('检查结束，公示结果')
      await consolePage.getByRole('button', { name: '公示结果' }).click()
      expect(consolePage.url()).toContain('?done=publish')

      await page.goto('/inspections')
      await checkPage('resident', '/inspections')
      await page.getByRole('link', { name: title }).click()
      expect(new URL(page.url()).pathname).toBe(publicPath)
      expect(await page.locator('code').first().innerText()).toBe(seed)
      expect(await page.locator('tbody tr').count()).toBe(2)
      const text = await page.locator('main').innerText()
      for (const h of handlers) expect(text).not.toContain(h)
      await checkPage('resident', publicPath)

      const csv = await fetch(new URL(`${publicPath}.csv`, inject('siteUrl')))
      expect(csv.status).toBe(200)
      const bytes = new Uint8Array(await csv.arrayBuffer())
      expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf])

      await page.goto('/inspections/how-to-check')
      expect(await page.locator('pre').innerText()).toContain('async function redraw')
      await checkPage('resident', '/inspections/how-to-check')
    },
  )
})
