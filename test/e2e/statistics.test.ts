import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { beijingDate } from '../../api/domain/beijing-time.ts'
import { lastCountedDay } from '../../api/domain/statistics.ts'
import { openSession, textsOf, watchedPage, type Session } from '../support/browser.ts'

/**
 * Issue 24, acceptance 4 (page side): /statistics is a static page that works with scripts
 * blocked, does not scroll sideways on a 360 or 320 px phone, draws every chart as an inline SVG
 * image with a name and the table under it, and links a working CSV per table. axe audits it in
 * the public walk (layout.test.ts, which lists /statistics/) like every public page: a second
 * audit here cost 10-23 s of the suite.
 */
let session: Session
beforeAll(async () => {
  session = await openSession()
})
afterAll(async () => {
  await session.close()
})

/** The ten tables of issue 24, and the web ratings and reporters' rewards of issue 25. */
const tableCount = 12

/** A page in a context whose own scripts are refused, as a visitor with scripts blocked has it. */
async function withScriptsBlocked(viewport?: { width: number; height: number }) {
  const context = await session.browser.newContext({
    baseURL: session.baseUrl,
    locale: 'zh-CN',
    ...(viewport ? { viewport } : {}),
  })
  await context.route('**/*', (route) =>
    route.request().resourceType() === 'script' ? route.abort() : route.continue(),
  )
  const watched = await watchedPage(context)
  return { ...watched, close: () => context.close() }
}

describe('the public statistics page', () => {
  test('is reached from the footer and the home page’s certified figure', async () => {
    const { page, problems } = await watchedPage(session.withoutJs)
    await page.goto('/')
    await page.locator('.progress-panel').getByRole('link', { name: /统计/ }).click()
    await page.waitForURL((url) => url.pathname === '/statistics/')
    expect(await page.locator('footer').getByRole('link', { name: '数据统计' }).count()).toBe(1)
    expect(problems).toEqual([])
  })

  test('with scripts blocked, shows the cutoff and every table with its chart and definition', async () => {
    const { page, problems, close } = await withScriptsBlocked()
    try {
      await page.goto('/statistics/')
      const through = lastCountedDay(beijingDate())
      expect((await textsOf(page, 'main')).join(' ')).toContain(`数据截至 ${through} 24 时`)
      const blocks = page.locator('.stat-block')
      expect(await blocks.count()).toBe(tableCount)
      const charts = page.locator('.stat-block svg')
      // The county-category-month table is a table only; every other one has its chart.
      expect(await charts.count()).toBe(tableCount - 1)
      for (const chart of await charts.all()) {
        expect(await chart.getAttribute('role')).toBe('img')
        expect(await chart.getAttribute('aria-label')).toMatch(/条形图/)
        // The numbers follow in a table, in a box the keyboard reaches.
        const next = chart.locator('xpath=following-sibling::*[1]')
        expect(await next.getAttribute('role')).toBe('region')
        expect(await next.getAttribute('tabindex')).toBe('0')
        expect(await next.locator('table').count()).toBe(1)
      }
      expect(await page.locator('.stat-block .hint').count()).toBe(tableCount)
      expect(problems).toEqual([])
    } finally {
      await close()
    }
  })

  for (const width of [360, 320]) {
    test(`does not scroll sideways at ${width} px; wide tables scroll in their own box`, async () => {
      const { page, problems, close } = await withScriptsBlocked({ width, height: 740 })
      try {
        await page.goto('/statistics/')
        const { scroll, inner, boxes } = await page.evaluate(() => ({
          scroll: document.documentElement.scrollWidth,
          inner: window.innerWidth,
          boxes: [...document.querySelectorAll('.stat-block .table-scroll')]
            .filter((el) => el.scrollWidth > el.clientWidth + 1)
            .map((el) => el.getAttribute('tabindex')),
        }))
        expect(scroll).toBeLessThanOrEqual(inner)
        // The county-category-month table at least is wider than a phone, and scrolls in its box.
        expect(boxes.length).toBeGreaterThan(0)
        expect(new Set(boxes)).toEqual(new Set(['0']))
        expect(problems).toEqual([])
      } finally {
        await close()
      }
    })
  }

  test('links a CSV per table that Excel reads: BOM, notes, then the table as on the page', async () => {
    const { page, problems } = await watchedPage(session.withoutJs)
    await page.goto('/statistics/')
    const blocks = await page.locator('.stat-block').all()
    expect(blocks).toHaveLength(tableCount)
    for (const block of blocks) {
      const title = (await block.locator('h3').innerText()).trim()
      const href = await block.getByRole('link', { name: /CSV/ }).getAttribute('href')
      expect(href, title).toMatch(/^\/statistics\/[a-z-]+\.csv$/)
      const res = await page.request.get(href!)
      expect(res.status(), href!).toBe(200)
      expect(res.headers()['content-type']).toMatch(/^text\/csv/)
      const text = (await res.body()).toString('utf8')
      expect(text.startsWith(`\uFEFF# ${title}\r\n`), href!).toBe(true)
      const lines = text.slice(1).split('\r\n')
      expect(lines[2]).toBe(`# 数据截至：${lastCountedDay(beijingDate())} 24 时（北京时间）`)
      const header = await textsOf(
        page,
        `#${await block.getAttribute('aria-labelledby')} ~ div th[scope="col"]`,
      )
      expect(lines[5], href!).toBe(header.join(','))
      const rows = await block.locator('tbody tr').count()
      expect(lines.length - 7, href!).toBe(rows)
    }
    expect(problems).toEqual([])
  })
})
