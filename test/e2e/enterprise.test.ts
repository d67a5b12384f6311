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

/** The definition list of facts on a business page, as { 认定状态: '有效', … }. */
async function factsOf(page: Page): Promise<Record<string, string>> {
  const terms = await textsOf(page, '.facts dt')
  const values = await textsOf(page, '.facts dd')
  return Object.fromEntries(terms.map((t, i) => [t, values[i] ?? '']))
}

async function historyOf(page: Page): Promise<string[][]> {
  const rows = page.locator('.history-table tbody tr')
  const out: string[][] = []
  for (const row of await rows.all()) out.push(await row.locator('td').allInnerTexts())
  return out
}

describe('a business page', () => {
  test('shows an active business with its status, since, until and history', async () => {
    const { page, problems } = await watchedPage(session.withoutJs)
    await page.goto('/enterprises/county/331102/')
    await page.getByRole('link', { name: '莲都区万象菜场' }).click()
    await page.waitForURL(/\/enterprises\/91331102MA2E8C6Q7.\/$/)

    expect(await textsOf(page, 'h1')).toEqual(['莲都区万象菜场'])
    expect(await page.locator('[role="alert"]').count()).toBe(0)
    const facts = await factsOf(page)
    expect(facts).toMatchObject({
      认定状态: '有效',
      状态起始: '2024-05-20',
      有效期至: '2027-05-19',
      认定日期: '2024-05-20',
      地址: '丽水市莲都区万象街道解放街 88 号',
      区县: '莲都区',
      行业: '集贸市场',
    })
    expect(facts['统一社会信用代码']).toMatch(/^91331102MA2E8C6Q7.$/)
    expect(await historyOf(page)).toEqual([['2024-05-20', '认定', '2027-05-19', '—']])
    expect(problems).toEqual([])
  })

  test('a revoked business says so prominently at the top, with the date and the reason', async () => {
    const { page, problems } = await watchedPage(session.withoutJs)
    await page.goto('/enterprises/status/revoked/')
    await page.locator('.enterprise-row .row-name a').first().click()
    await page.waitForURL(/\/enterprises\/[0-9A-Z]{18}\/$/)

    const facts = await factsOf(page)
    expect(facts['认定状态']).toBe('撤销')
    const alert = page.locator('[role="alert"]')
    expect(await alert.count()).toBe(1)
    const alertText = await alert.innerText()
    expect(alertText).toContain(`该单位的诚信计量认定已于 ${facts['状态起始']} 撤销`)
    expect(alertText).toContain('原因：专项检查发现计量器具作弊')
    // The notice comes straight after the name, before any other content.
    const order = await page.evaluate(() => {
      const h1 = document.querySelector('h1')
      return h1?.nextElementSibling?.getAttribute('role')
    })
    expect(order).toBe('alert')

    const history = await historyOf(page)
    expect(history.map((row) => row[1])).toEqual(['撤销', '认定'])
    expect(history[0]![0]).toBe(facts['状态起始'])
    expect(problems).toEqual([])
  })

  test('a suspended business says it is suspended since when', async () => {
    const { page, problems } = await watchedPage(session.withJs)
    await page.goto('/enterprises/status/suspended/')
    await page.locator('.enterprise-row .row-name a').first().click()
    await page.waitForURL(/\/enterprises\/[0-9A-Z]{18}\/$/)
    const facts = await factsOf(page)
    expect(facts['认定状态']).toBe('暂停')
    expect(await page.locator('[role="alert"]').innerText()).toContain(
      `该单位的诚信计量认定自 ${facts['状态起始']} 起暂停`,
    )
    expect(problems).toEqual([])
  })

  test('an unknown credit code answers the Chinese 404 page', async () => {
    const { page, problems } = await watchedPage(session.withoutJs)
    const response = await page.goto('/enterprises/91331102MA2E000000/')
    expect(response?.status()).toBe(404)
    expect(await textsOf(page, 'h1')).toEqual(['页面不存在'])
    expect(await page.getByRole('link', { name: '浏览诚信计量单位名录' }).count()).toBe(1)
    // The only problem is the 404 itself.
    expect(problems.filter((p) => !p.includes('404'))).toEqual([])
  })
})
