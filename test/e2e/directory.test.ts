import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import type { Page } from 'playwright-core'
import { openSession, textsOf, watchedPage, type Session } from '../support/browser.ts'

let session: Session
beforeAll(async () => {
  session = await openSession()
})
afterAll(async () => {
  await session.close()
})

/** "第 21–35 家，共 35 家" → 35 */
async function totalOf(page: Page): Promise<number> {
  const heading = (await textsOf(page, '#results-heading'))[0] ?? ''
  const match = /共 ([\d,]+) 家/.exec(heading)
  if (!match) throw new Error(`no total in "${heading}"`)
  return Number(match[1]!.replace(/,/g, ''))
}

async function openFacet(page: Page, summary: string) {
  const group = page.locator('details.facet-group', { hasText: summary })
  if ((await group.getAttribute('open')) === null) await group.locator('summary').click()
  return group
}

describe.each([
  ['JavaScript off', 'withoutJs'],
  ['JavaScript on', 'withJs'],
] as const)('the directory with %s', (_label, visitor) => {
  test('lists 20 businesses a page, in county order, and its page links work', async () => {
    const { page, problems } = await watchedPage(session[visitor])
    await page.goto('/enterprises/')
    expect(await page.locator('h1').count()).toBe(1)
    expect(await page.locator('.enterprise-row').count()).toBe(20)
    expect(await totalOf(page)).toBe(300)
    const firstPage = await textsOf(page, '.row-name')
    // The first county is 莲都区 and it has more than 20 demo businesses.
    expect(new Set(await textsOf(page, '.row-county'))).toEqual(new Set(['莲都区']))

    await page.getByRole('link', { name: '第 2 页', exact: true }).click()
    await page.waitForURL((url) => url.pathname === '/enterprises/page/2/')
    expect(await textsOf(page, '#results-heading')).toEqual(['第 21–40 家，共 300 家'])
    const secondPage = await textsOf(page, '.row-name')
    expect(secondPage).toHaveLength(20)
    expect(secondPage.filter((name) => firstPage.includes(name))).toEqual([])

    await page.getByRole('link', { name: '第 15 页', exact: true }).click()
    await page.waitForURL((url) => url.pathname === '/enterprises/page/15/')
    expect(await page.locator('a[rel="next"]').count()).toBe(0)
    // The last county in order is 龙泉市.
    expect(new Set(await textsOf(page, '.row-county'))).toEqual(new Set(['龙泉市']))
    expect(problems).toEqual([])
  })

  test('the county filter lists only that county, across its pages, then the status filter only that status', async () => {
    const { page, problems } = await watchedPage(session[visitor])
    await page.goto('/enterprises/')
    const counties = await openFacet(page, '按区县')
    await counties.getByRole('link', { name: /^莲都区/ }).click()
    await page.waitForURL((url) => url.pathname === '/enterprises/county/331102/')

    expect(await textsOf(page, 'h1')).toEqual(['诚信计量单位名录：莲都区'])
    const total = await totalOf(page)
    expect(await textsOf(page, '.active-filter')).toEqual([
      expect.stringContaining(`当前筛选：区县为“莲都区”，共 ${total} 家。`),
    ])
    const active = page.locator('.facets a[aria-current="page"]')
    expect(await active.innerText()).toContain(`莲都区（${total}）`)
    expect(total).toBeGreaterThan(20)
    expect(new Set(await textsOf(page, '.row-county'))).toEqual(new Set(['莲都区']))

    await page.getByRole('link', { name: '下一页' }).click()
    await page.waitForURL((url) => url.pathname === '/enterprises/county/331102/page/2/')
    const rest = await textsOf(page, '.row-county')
    expect(rest).toHaveLength(total - 20)
    expect(new Set(rest)).toEqual(new Set(['莲都区']))

    const statuses = await openFacet(page, '按认定状态')
    await statuses.getByRole('link', { name: /^撤销/ }).click()
    await page.waitForURL((url) => url.pathname === '/enterprises/status/revoked/')
    const badges = await textsOf(page, '.row-status')
    expect(badges.length).toBeGreaterThan(0)
    expect(new Set(badges)).toEqual(new Set(['撤销']))
    expect(await textsOf(page, '.active-filter')).toEqual([
      expect.stringContaining('当前筛选：认定状态为“撤销”'),
    ])
    expect(problems).toEqual([])
  })

  test('combines county and status through the filter form, which /search answers', async () => {
    const { page, problems } = await watchedPage(session[visitor])
    await page.goto('/enterprises/')
    await page.locator('details.combined-filter summary').click()
    const form = page.locator('#filter-form')
    await form.getByLabel('区县', { exact: true }).selectOption({ label: '莲都区' })
    await form.getByLabel('认定状态', { exact: true }).selectOption({ label: '有效' })
    await form.getByRole('button', { name: '搜索' }).click()
    await page.waitForURL((url) => url.pathname === '/search')
    const params = new URL(page.url()).searchParams
    expect(params.get('county')).toBe('331102')
    expect(params.get('status')).toBe('active')

    const rows = await textsOf(page, '.enterprise-row .row-county')
    expect(rows.length).toBeGreaterThan(0)
    expect(new Set(rows)).toEqual(new Set(['莲都区']))
    expect(new Set(await textsOf(page, '.row-status'))).toEqual(new Set(['有效']))
    // The form on the results page keeps what was chosen.
    expect(await page.locator('#search-county').inputValue()).toBe('331102')
    expect(await page.locator('#search-status').inputValue()).toBe('active')
    expect(problems).toEqual([])
  })
})
