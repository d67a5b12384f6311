import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { openSession, textsOf, watchedPage, type Session } from '../support/browser.ts'

// A phone: narrower than 40em, where the filters fold behind 筛选 (issue 23).
let phone: Session
let desktop: Session
beforeAll(async () => {
  phone = await openSession({ width: 360, height: 740 })
  desktop = await openSession()
})
afterAll(async () => {
  await phone.close()
  await desktop.close()
})

const q = (text: string) => `/search?q=${encodeURIComponent(text)}`

describe('a query read as county and sector', () => {
  test('莲都加油站 lists only 莲都区 fuel stations and says so, with a link to the words as typed', async () => {
    const { page, problems } = await watchedPage(desktop.withoutJs)
    await page.goto(q('莲都加油站'))
    expect(await textsOf(page, '.search-understood')).toEqual([
      '已按 莲都区 · 加油站 筛选（按原词“莲都加油站”搜索）',
    ])
    const counties = await textsOf(page, '.enterprise-row .row-county')
    expect(counties.length).toBeGreaterThan(0)
    expect(new Set(counties)).toEqual(new Set(['莲都区']))
    expect(new Set(await textsOf(page, '.enterprise-row .row-sector'))).toEqual(new Set(['加油站']))

    await page.getByRole('link', { name: '按原词“莲都加油站”搜索' }).click()
    await page.waitForURL((url) => url.searchParams.get('typed') === '1')
    expect(new URL(page.url()).searchParams.get('q')).toBe('莲都加油站')
    expect(await page.locator('.search-understood').count()).toBe(0)
    expect(problems).toEqual([])
  })

  test('the live search says what it read too', async () => {
    const { page, problems } = await watchedPage(desktop.withJs)
    await page.goto('/search')
    await page.getByLabel('单位名称、地址或统一社会信用代码').fill('龙泉加油站')
    await page
      .locator('#search-results .search-understood', { hasText: '已按 龙泉市 · 加油站 筛选' })
      .waitFor({ timeout: 10_000 })
    expect(
      await page.getByRole('link', { name: '按原词“龙泉加油站”搜索' }).getAttribute('href'),
    ).toBe(`/search?q=${encodeURIComponent('龙泉加油站')}&typed=1`)
    expect(new Set(await textsOf(page, '#search-results .row-county'))).toEqual(new Set(['龙泉市']))
    expect(problems).toEqual([])
  })
})

describe('the search page on a phone', () => {
  for (const js of ['off', 'on'] as const) {
    test(`results come first and the filters fold behind 筛选 (JavaScript ${js})`, async () => {
      const { page, problems } = await watchedPage(js === 'on' ? phone.withJs : phone.withoutJs)
      await page.goto(q('菜场'))
      const county = page.getByLabel('区县', { exact: true })
      const filters = page.locator('summary', { hasText: '筛选' })
      expect(await filters.isVisible()).toBe(true)
      expect(await county.isVisible()).toBe(false)
      // The first result starts within the first screen.
      const first = await page.locator('.enterprise-row').first().boundingBox()
      expect(first).not.toBeNull()
      expect(first!.y).toBeLessThan(740)

      await filters.click()
      expect(await county.isVisible()).toBe(true)
      await county.selectOption({ label: '龙泉市' })
      await page.locator('#search-form').getByRole('button', { name: '搜索' }).click()
      await page.waitForURL((url) => url.searchParams.get('county') === '331181')
      expect(await textsOf(page, '.search-filters > summary')).toEqual(['筛选（已选 1 项）'])
      expect(problems).toEqual([])
    })
  }
})

describe('the search page on a desktop', () => {
  test('shows the filters in one row, with no 筛选 to open', async () => {
    const { page, problems } = await watchedPage(desktop.withoutJs)
    await page.goto(q('菜场'))
    expect(await page.locator('.search-filters > summary').isVisible()).toBe(false)
    const boxes = await Promise.all(
      ['区县', '行业', '认定状态'].map((label) =>
        page.getByLabel(label, { exact: true }).boundingBox(),
      ),
    )
    expect(boxes.every((b) => b !== null && b.height > 0)).toBe(true)
    expect(new Set(boxes.map((b) => Math.round(b!.y))).size).toBe(1)
    expect(problems).toEqual([])
  })
})
