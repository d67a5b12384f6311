import { mkdir } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { openSession, textsOf, watchedPage, type Session } from '../support/browser.ts'

const demoBanner = '演示数据：并非真实认定名单'
const screenshots = path.resolve(import.meta.dirname, '../../.data/test/screenshots')

let session: Session
beforeAll(async () => {
  session = await openSession()
})
afterAll(async () => {
  await session.close()
})

describe('home page', () => {
  test('shows the active count against the 1,500 goal, the counties and the demo banner', async () => {
    const { page, problems } = await watchedPage(session.withoutJs)
    await page.goto('/')
    expect(await page.locator('h1').count()).toBe(1)
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN')
    expect(await textsOf(page, '.demo-banner')).toEqual([demoBanner])

    const figure = (await textsOf(page, '.progress-figure'))[0] ?? ''
    const match = /全市有效认定\s*([\d,]+) \/ 1,500 家/.exec(figure)
    expect(match, figure).not.toBeNull()
    const active = Number(match![1]!.replace(/,/g, ''))
    expect(active).toBeGreaterThan(200)
    expect(active).toBeLessThan(300)
    expect(await page.locator('progress').getAttribute('max')).toBe('1500')
    expect(await page.locator('progress').getAttribute('value')).toBe(String(active))

    // Nine counties; the city level (市本级) only when it has businesses, which the demo has not.
    const counties = await textsOf(page, '.county-table tbody th')
    expect(counties).toHaveLength(9)
    expect(counties[0]).toBe('莲都区')
    expect(counties).not.toContain('丽水市本级')
    const perCounty = (await textsOf(page, '.county-table tbody td')).map((t) =>
      Number(t.replace(/,/g, '')),
    )
    expect(perCounty.reduce((a, b) => a + b, 0)).toBe(active)

    const notices = page.locator('section[aria-labelledby="notices-title"] li a')
    expect(await notices.count()).toBeGreaterThanOrEqual(4)
    expect(await notices.count()).toBeLessThanOrEqual(5)
    expect(problems).toEqual([])
  })

  test('a county link on the home page opens that county in the directory', async () => {
    const { page, problems } = await watchedPage(session.withoutJs)
    await page.goto('/')
    await page.getByRole('link', { name: '莲都区' }).click()
    expect(new URL(page.url()).pathname).toBe('/enterprises/county/331102/')
    expect(await textsOf(page, '.active-filter')).toEqual([
      expect.stringContaining('当前筛选：区县为“莲都区”'),
    ])
    expect(problems).toEqual([])
  })

  test('the search box on the home page submits to /search', async () => {
    const { page, problems } = await watchedPage(session.withoutJs)
    await page.goto('/')
    await page.getByLabel('搜索诚信计量单位或公告').fill('菜场')
    await page.getByRole('button', { name: '搜索' }).click()
    await page.waitForURL((url) => url.pathname === '/search')
    expect(new URL(page.url()).searchParams.get('q')).toBe('菜场')
    expect(await textsOf(page, '.enterprise-row .row-name')).toContain('莲都区万象菜场')
    expect(problems).toEqual([])
  })

  test('renders on a phone (screenshots for a person to look at)', async () => {
    await mkdir(screenshots, { recursive: true })
    const context = await session.browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
      locale: 'zh-CN',
      baseURL: session.baseUrl,
    })
    try {
      const { page, problems } = await watchedPage(context)
      for (const [name, address] of [
        ['home', '/'],
        ['directory', '/enterprises/'],
      ] as const) {
        await page.goto(address)
        // Nothing may stick out sideways on a phone.
        const overflow = await page.evaluate(
          () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
        )
        expect(overflow, `${address} scrolls sideways`).toBeLessThanOrEqual(0)
        await page.screenshot({
          path: path.join(screenshots, `${name}-390x844.png`),
          fullPage: true,
        })
      }
      expect(problems).toEqual([])
    } finally {
      await context.close()
    }
  })
})
