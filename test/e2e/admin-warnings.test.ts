import AxeBuilder from '@axe-core/playwright'
import { randomBytes } from 'node:crypto'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { sessionCookieName } from '../../api/services/admin/sessions.ts'
import { createDb, type Db } from '../../db/client.ts'
import { launchBrowser, textsOf, watchedPage } from '../support/browser.ts'
import { operatorSession } from '../support/operators.ts'
import { insertWarning } from '../support/warnings-console.ts'

/**
 * The warnings console (issue 24) as a 莲都区 handler and a city administrator meet it, with
 * JavaScript off: the list, a warning with its cases, acting on it with plain form posts, the
 * case page's link, and the thresholds; on a 320 px phone and a 1280 px desk at 200 % zoom
 * (640 CSS pixels), with no axe violation and no sideways scroll.
 */

const county = '331102'
const tag = randomBytes(3).toString('hex')
const resident = {
  name: '司马预警',
  phone: '13957804321',
  description: `预警页面测试：秤上有遥控器，称出来多了三两。${tag}`,
}
const subjectLabel = `丽阳菜场${tag}号摊位`

let browser: Browser
let db: Db
let phone: BrowserContext
let zoomed: BrowserContext
let adminPhone: BrowserContext
let cases: { id: string; trackingNo: string }[]
let warningId: string

async function context(
  role: 'county_handler' | 'city_admin',
  viewport: { width: number; height: number },
) {
  const { token } = await operatorSession(
    db,
    role,
    role === 'county_handler' ? county : null,
    `e2ewarn${role.slice(0, 4)}${tag}${viewport.width}`,
  )
  const made = await browser.newContext({
    baseURL: inject('siteUrl'),
    locale: 'zh-CN',
    viewport,
    javaScriptEnabled: false,
  })
  await made.addCookies([{ name: sessionCookieName, value: token, url: inject('siteUrl') }])
  return made
}

/** The axe audit (WCAG 2.1 A and AA) of the JavaScript-off page's HTML, in a tab that runs axe. */
async function audit(page: Page): Promise<string[]> {
  const html = await page.content()
  const tab = await (
    await browser.newContext({ viewport: page.viewportSize(), locale: 'zh-CN' })
  ).newPage()
  try {
    await tab.goto(page.url())
    await tab.setContent(html, { waitUntil: 'load' })
    const { violations } = await new AxeBuilder({ page: tab })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
      .analyze()
    return violations.map(
      (v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    )
  } finally {
    await tab.context().close()
  }
}

const hasHorizontalScroll = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth)

async function fileComplaint(i: number) {
  const res = await fetch(`${inject('siteUrl')}/api/complaints`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      kind: 'complaint',
      category: 'rigged_instrument',
      county,
      merchantName: subjectLabel,
      address: '莲都区丽阳街道菜场',
      occurredAt: new Date(Date.now() - 3 * 3600_000).toISOString().slice(0, 16),
      description: resident.description,
      name: resident.name,
      phone: resident.phone.replace(/1$/, String(i)),
      consent: true,
    }),
  })
  expect(res.status, await res.clone().text()).toBe(201)
  const { trackingNo } = (await res.json()) as { trackingNo: string }
  const row = await db
    .selectFrom('complaints')
    .select('id')
    .where('trackingNo', '=', trackingNo)
    .executeTakeFirstOrThrow()
  return { id: row.id, trackingNo }
}

beforeAll(async () => {
  browser = await launchBrowser()
  db = createDb({ connectionString: inject('siteDatabaseUrl'), max: 1 })
  cases = [await fileComplaint(1), await fileComplaint(2)]
  warningId = await insertWarning(db, {
    countyCode: county,
    subjectLabel,
    severity: 3,
    complaintIds: cases.map((c) => c.id),
  })
  phone = await context('county_handler', { width: 320, height: 640 })
  zoomed = await context('county_handler', { width: 640, height: 400 })
  adminPhone = await context('city_admin', { width: 320, height: 640 })
})

afterAll(async () => {
  await phone.close()
  await zoomed.close()
  await adminPhone.close()
  await browser.close()
  await db.destroy()
})

/** Asserts the page shows none of the resident's values (name, phone, description). */
async function expectNoResidentData(page: Page) {
  const html = await page.content()
  for (const value of [resident.name, resident.phone.slice(0, 10), resident.description]) {
    expect(html).not.toContain(value)
  }
}

describe('the warnings list', () => {
  test('lists the warning in a captioned table, counted in the navigation', async () => {
    const { page, problems } = await watchedPage(phone)
    await page.goto('/admin/warnings')
    const nav = page.locator('nav[aria-label="后台导航"] a[href="/admin/warnings"]')
    expect(await nav.innerText()).toMatch(/预警\s*\d+\s*条未办结/)
    expect(await page.locator('#warnings-table caption').textContent()).toContain('预警列表')
    expect(await textsOf(page, '#warnings-table thead th')).toEqual([
      '预警对象',
      '等级',
      '触发规则',
      '时段内投诉',
      '触发时间',
      '区县',
      '状态',
    ])
    const row = page.locator('#warnings-table tbody tr', { hasText: subjectLabel })
    expect(
      (await textsOf(page, '#warnings-table tbody tr')).find((t) => t.includes(subjectLabel)),
    ).toMatch(/经营者.*严重.*2 件.*莲都区 待处置/)
    expect(await row.count()).toBe(1)
    expect(await page.locator('#warnings-order').innerText()).toContain('待处置和已确认的在前')
    expect(await hasHorizontalScroll(page)).toBe(false)
    expect(await audit(page)).toEqual([])
    await expectNoResidentData(page)
    expect(problems).toEqual([])
  })
})

describe('a warning', () => {
  test('shows its cases linked to their pages, and none of the residents’ data', async () => {
    for (const ctx of [phone, zoomed]) {
      const { page, problems } = await watchedPage(ctx)
      await page.goto('/admin/warnings')
      await page.getByRole('link', { name: subjectLabel }).click()
      expect(new URL(page.url()).pathname).toBe(`/admin/warnings/${warningId}`)
      const links = await page
        .locator('#warning-cases tbody a')
        .evaluateAll((as) => as.map((a) => [a.textContent.trim(), a.getAttribute('href')]))
      expect(links.sort()).toEqual(cases.map((c) => [c.trackingNo, `/admin/cases/${c.id}`]).sort())
      expect(await textsOf(page, '#warning-cases thead th')).toEqual([
        '受理编号',
        '接收时间',
        '问题类别',
        '状态',
      ])
      await expectNoResidentData(page)
      expect(await hasHorizontalScroll(page)).toBe(false)
      expect(await audit(page)).toEqual([])
      expect(problems).toEqual([])
    }
  })

  test('is acknowledged, refused a dismissal without a reason, then dismissed, without JavaScript', async () => {
    const id = await insertWarning(db, { countyCode: county, complaintIds: [cases[0]!.id] })
    const { page } = await watchedPage(phone)
    await page.goto(`/admin/warnings/${id}`)
    await page.getByRole('button', { name: '确认预警' }).click()
    expect(await page.locator('#warning-done').innerText()).toContain('已确认')
    expect(await page.locator('#warning-state').innerText()).toContain('已确认')
    expect(await page.getByRole('button', { name: '确认预警' }).count()).toBe(0)

    await page.getByRole('button', { name: '排除预警' }).click()
    expect(await page.locator('#warning-refusal').innerText()).toContain('请填写排除原因')
    expect(await page.locator('#dismiss-reason-error').innerText()).toContain('请填写排除原因')
    expect(await audit(page)).toEqual([])

    await page.getByLabel('排除原因').fill('同一投诉人重复提交，不构成聚集。')
    await page.getByRole('button', { name: '排除预警' }).click()
    expect(await page.locator('#warning-state').innerText()).toContain('已排除')
    expect(await page.locator('main').innerText()).toContain('这条预警已办结，不能再更改。')
    const row = await db
      .selectFrom('warnings')
      .select(['state', 'closingNote', 'version'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    expect(row).toEqual({
      state: 'dismissed',
      closingNote: '同一投诉人重复提交，不构成聚集。',
      version: 3,
    })
    expect(await hasHorizontalScroll(page)).toBe(false)
  })

  test('is linked from the page of each of its cases', async () => {
    const { page } = await watchedPage(phone)
    await page.goto(`/admin/cases/${cases[1]!.id}`)
    const link = page.locator('#case-warnings a', { hasText: subjectLabel })
    await link.click()
    expect(new URL(page.url()).pathname).toBe(`/admin/warnings/${warningId}`)
  })
})

describe('the warning thresholds', () => {
  test('a city administrator sets one, told in Chinese what is wrong first', async () => {
    const { page, problems } = await watchedPage(adminPhone)
    await page.goto('/admin/warnings')
    await page.getByRole('link', { name: '设置预警阈值' }).click()
    await page.getByLabel('对象类型').selectOption('county_category')
    await page.getByLabel('范围').selectOption(county)
    await page.getByLabel('统计时段（小时）').fill('48')
    await page.getByLabel('触发数量（件）').fill('1')
    await page.getByLabel('预警等级').selectOption('2')
    await page.getByRole('button', { name: '保存' }).click()
    expect(await page.locator('#threshold-minCount-error').innerText()).toContain(
      '触发数量至少为 2 件',
    )
    expect(await audit(page)).toEqual([])
    await page.getByLabel('触发数量（件）').fill('6')
    await page.getByRole('button', { name: '保存' }).click()
    expect(await page.locator('#threshold-done').innerText()).toContain('已保存')
    const rows = await textsOf(page, '#thresholds-table tbody tr')
    expect(rows.some((r) => /区县问题类别 莲都区 48 小时 6 件 预警/.test(r))).toBe(true)
    expect(await hasHorizontalScroll(page)).toBe(false)
    expect(await audit(page)).toEqual([])
    // The refused form answers 400, which the browser reports as a failed load: nothing else.
    expect(problems.filter((p) => !/\b400\b/.test(p))).toEqual([])
  })

  test('a county handler is refused the page', async () => {
    const { page } = await watchedPage(phone)
    const res = await page.goto('/admin/warnings/thresholds')
    expect(res?.status()).toBe(403)
    expect(await page.locator('main').innerText()).toContain('只有市局管理员可以设置预警阈值')
  })
})
