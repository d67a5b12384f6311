import AxeBuilder from '@axe-core/playwright'
import jsQR from 'jsqr'
import { PNG } from 'pngjs'
import { randomBytes } from 'node:crypto'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { sessionCookieName } from '../../api/services/admin/sessions.ts'
import { createDb, type Db } from '../../db/client.ts'
import { launchBrowser, textsOf, watchedPage } from '../support/browser.ts'
import { operatorSession } from '../support/operators.ts'

/**
 * The console as a handler meets it: on a desk screen at 1280 × 800 and on a 360 px phone. Each
 * context is a handler of 莲都区 with a fully signed-in session made in the product's database
 * (sign-in has tests of its own), JavaScript off: the console needs none.
 */

let browser: Awaited<ReturnType<typeof launchBrowser>>
let db: Db
let desk: BrowserContext
let phone: BrowserContext
let caseId: string
let trackingNo: string
const tag = randomBytes(3).toString('hex')

async function handlerContext(viewport: { width: number; height: number }) {
  const { token } = await operatorSession(
    db,
    'county_handler',
    '331102',
    `e2elayout${tag}${viewport.width}`,
  )
  const context = await browser.newContext({
    baseURL: inject('siteUrl'),
    locale: 'zh-CN',
    viewport,
    javaScriptEnabled: false,
  })
  await context.addCookies([{ name: sessionCookieName, value: token, url: inject('siteUrl') }])
  return context
}

/**
 * The axe audit (WCAG 2.1 A and AA) of the page as served: axe runs as a script, so the HTML the
 * JavaScript-off page got is audited in a tab with JavaScript on, at the same address and size.
 */
async function audit(page: Page): Promise<string[]> {
  const html = await page.content()
  const context = await browser.newContext({ viewport: page.viewportSize(), locale: 'zh-CN' })
  const tab = await context.newPage()
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
    await context.close()
  }
}

/** Reads the QR code the page shows in `selector`, as a phone's camera would see it. */
async function scan(page: Page, selector: string): Promise<string | undefined> {
  const png = PNG.sync.read(await page.locator(selector).screenshot())
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data
}

const hasHorizontalScroll = (page: Page) =>
  page.evaluate(() => document.documentElement.scrollWidth > document.documentElement.clientWidth)

beforeAll(async () => {
  browser = await launchBrowser()
  db = createDb({ connectionString: inject('siteDatabaseUrl'), max: 1 })
  // A short-weight complaint with its figures in 斤, filed as any client files one.
  const res = await fetch(`${inject('siteUrl')}/api/complaints`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      kind: 'complaint',
      category: 'short_weight',
      county: '331102',
      merchantName: `丽阳菜场${tag}号摊位，一个名字很长的摊位用来看卡片里的换行`,
      address: '莲都区丽阳街道菜场',
      occurredAt: new Date(Date.now() - 16 * 3600_000).toISOString().slice(0, 16),
      description: '买了两斤排骨，回家复秤只有一斤七两。',
      name: '林晓红',
      phone: '13857801234',
      consent: true,
      claimedQuantity: 2,
      measuredQuantity: 1.7,
      unit: 'jin',
      unitPrice: 30,
    }),
  })
  expect(res.status, await res.clone().text()).toBe(201)
  trackingNo = ((await res.json()) as { trackingNo: string }).trackingNo
  const row = await db
    .selectFrom('complaints')
    .select('id')
    .where('trackingNo', '=', trackingNo)
    .executeTakeFirstOrThrow()
  caseId = row.id
  desk = await handlerContext({ width: 1280, height: 800 })
  phone = await handlerContext({ width: 360, height: 740 })
})
afterAll(async () => {
  await desk.close()
  await phone.close()
  await browser.close()
  await db.destroy()
})

describe('TOTP set-up', () => {
  test('shows a QR code of the otpauth URI, drawn in the page, with the key in fours', async () => {
    const { page, problems } = await watchedPage(desk)
    const requested: string[] = []
    page.on('request', (r) => requested.push(r.url()))
    const res = await page.goto('/admin/totp')
    expect(res?.status()).toBe(200)
    expect(res?.headers()['cache-control']).toBe('no-store')
    expect(await textsOf(page, 'h1')).toEqual(['绑定动态验证码'])

    const uri = (await page.locator('.totp-uri').textContent())?.trim() ?? ''
    expect(uri).toMatch(/^otpauth:\/\/totp\/.+\?secret=[A-Z2-7]{32}&/)
    // Inline SVG, no image fetched: no other service ever sees the key.
    expect(await page.locator('#totp-qr > svg').count()).toBe(1)
    expect(await page.locator('#totp-qr').getAttribute('role')).toBe('img')
    expect(requested.every((u) => u.startsWith(inject('siteUrl')))).toBe(true)
    expect(requested.some((u) => u.includes('secret'))).toBe(false)
    expect(await scan(page, '#totp-qr')).toBe(uri)

    // The fallback: the same key, in groups of four for typing.
    const [grouped] = await textsOf(page, '#totp-secret')
    expect(grouped).toMatch(/^([A-Z2-7]{4} ){7}[A-Z2-7]{4}$/)
    expect(uri).toContain(`secret=${grouped!.replace(/ /g, '')}`)
    expect(problems).toEqual([])
    expect(await audit(page)).toEqual([])
  })
})

describe('the case queue', () => {
  test('at 1280 × 800 the filters take one row and the first case is in the first screen', async () => {
    const { page, problems } = await watchedPage(desk)
    await page.goto('/admin/cases')
    const form = await page.locator('form.case-filters').boundingBox()
    expect(form!.height).toBeLessThanOrEqual(120)
    // The less used filters are folded, and open with the summary (no JavaScript).
    expect(await page.getByLabel('类型', { exact: true }).isVisible()).toBe(false)
    const firstRow = await page.locator('.case-table tbody tr').first().boundingBox()
    expect(firstRow!.y + firstRow!.height).toBeLessThanOrEqual(800)

    await page.locator('.case-filters-more summary').click()
    expect(await page.getByLabel('类型', { exact: true }).isVisible()).toBe(true)
    await page.getByLabel('类型', { exact: true }).selectOption({ label: '投诉' })
    await page.getByRole('button', { name: '筛选', exact: true }).click()
    await page.waitForURL((url) => url.searchParams.get('kind') === 'complaint')
    // Folded filters in use: shown open, and counted in the summary.
    expect(await page.getByLabel('类型', { exact: true }).isVisible()).toBe(true)
    expect(await textsOf(page, '.case-filters-more summary')).toEqual(['更多筛选（已选 1 项）'])
    expect(problems).toEqual([])
    expect(await audit(page)).toEqual([])
  })

  test('on a 360 px phone each case is a card and nothing scrolls sideways', async () => {
    const { page, problems } = await watchedPage(phone)
    await page.goto('/admin/cases')
    expect(await hasHorizontalScroll(page)).toBe(false)
    const rows = page.locator('.case-table tbody tr')
    expect(await rows.count()).toBeGreaterThan(0)
    const cards = await rows.evaluateAll((trs) =>
      trs.map((tr) => ({
        display: getComputedStyle(tr).display,
        width: tr.getBoundingClientRect().width,
        // The narrowest value box: a column a character wide would show here.
        narrowest: Math.min(
          ...[...tr.querySelectorAll('td')].map((td) => td.getBoundingClientRect().width),
        ),
        labels: [...tr.querySelectorAll('td')].map((td) => td.dataset['label']),
      })),
    )
    for (const card of cards) {
      expect(card.display).toBe('block')
      expect(card.width).toBeGreaterThan(300)
      expect(card.narrowest).toBeGreaterThan(250)
      expect(card.labels).toEqual(
        expect.arrayContaining(['受理编号', '状态', '办理期限', '对象', '类型']),
      )
    }
    // Its column names are read before each value.
    const header = await page
      .locator('.case-table tbody td[data-label="状态"]')
      .first()
      .evaluate((td) => getComputedStyle(td, '::before').content)
    expect(header).toBe('"状态"')
    // The page's own case, long name and all, fits too.
    await page.goto(`/admin/cases?q=${encodeURIComponent(trackingNo)}`)
    expect(await hasHorizontalScroll(page)).toBe(false)
    expect(problems).toEqual([])
    expect(await audit(page)).toEqual([])
  })
})

describe('the case page', () => {
  test('at 1280 wide: the record on the left, the one next step on the right', async () => {
    const { page, problems } = await watchedPage(desk)
    await page.goto(`/admin/cases/${caseId}`)
    const record = (await page.locator('#case-record').boundingBox())!
    const actions = (await page.locator('#case-actions').boundingBox())!
    expect(actions.x).toBeGreaterThanOrEqual(record.x + record.width)
    expect(actions.y).toBeLessThan(record.y + 50)
    expect(actions.width).toBeGreaterThan(300)

    // One primary button, the step the state calls for: a received web complaint is accepted.
    const primary = page.locator('main .button:not(.button-secondary)')
    expect(await primary.count()).toBe(1)
    expect(await primary.textContent()).toContain('受理')
    expect(await textsOf(page, '#case-actions h3')).toEqual(['下一步：受理', '其他操作'])
    expect(await primary.isVisible()).toBe(true)
    // The other actions wait behind disclosures, their buttons styled as secondary.
    const others = page.locator('#case-actions details')
    expect(await others.count()).toBeGreaterThan(1)
    expect(await textsOf(page, '#case-actions details > summary')).toEqual(
      expect.arrayContaining(['不予受理', '指派', '内部备注']),
    )
    expect(await page.getByRole('button', { name: '不予受理', exact: true }).isVisible()).toBe(
      false,
    )
    await page.locator('#case-actions summary', { hasText: '不予受理' }).click()
    const reject = page.getByRole('button', { name: '不予受理', exact: true })
    expect(await reject.isVisible()).toBe(true)
    expect(await reject.getAttribute('class')).toContain('button-secondary')
    const [fill, primaryFill] = await Promise.all([
      reject.evaluate((b) => getComputedStyle(b).backgroundColor),
      primary.evaluate((b) => getComputedStyle(b).backgroundColor),
    ])
    expect(fill).not.toBe(primaryFill)

    // Units in Chinese, not the stored code.
    const [figures] = await textsOf(page, '#case-figures')
    expect(figures).toContain('标称 2 斤，实测 1.7 斤')
    expect(figures).toContain('元/斤')
    expect(figures).not.toMatch(/jin/)
    expect(problems).toEqual([])
    expect(await audit(page)).toEqual([])
  })

  test('on a 360 px phone it is one column with the next step after the record', async () => {
    const { page, problems } = await watchedPage(phone)
    await page.goto(`/admin/cases/${caseId}`)
    const record = (await page.locator('#case-record').boundingBox())!
    const actions = (await page.locator('#case-actions').boundingBox())!
    expect(actions.y).toBeGreaterThanOrEqual(record.y + record.height)
    expect(await hasHorizontalScroll(page)).toBe(false)
    expect(problems).toEqual([])
    expect(await audit(page)).toEqual([])
  })
})
