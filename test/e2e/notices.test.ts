import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { openSession, textsOf, watchedPage, type Session } from '../support/browser.ts'

let session: Session
beforeAll(async () => {
  session = await openSession()
})
afterAll(async () => {
  await session.close()
})

const inspection = '2026年第三季度集贸市场计量专项检查结果公告'
const titles = [
  '关于撤销部分单位诚信计量示范单位称号的公告',
  inspection,
  '2026年“5·20”世界计量日丽水市系列活动公告',
  '诚信计量示范单位申报指南',
]

describe('notices', () => {
  test('the list shows every notice, newest first, and a notice page renders its table', async () => {
    const { page, problems } = await watchedPage(session.withoutJs)
    await page.goto('/notices/')
    expect(await textsOf(page, '.notice-list > li > a')).toEqual(titles)

    await page.getByRole('link', { name: inspection }).click()
    await page.waitForURL((url) => url.pathname === '/notices/2026-10-15-market-inspection-q3/')
    expect(await textsOf(page, 'h1')).toEqual([inspection])
    expect(await textsOf(page, '.notice-meta time')).toEqual(['2026-10-15'])
    const firstRow = await page
      .locator('.prose table tbody tr')
      .first()
      .locator('td')
      .allInnerTexts()
    expect(firstRow).toEqual(['莲都区', '15', '698', '9', '98.7%'])
    expect(problems).toEqual([])
  })

  test('the RSS feed is well-formed XML with every notice title and absolute links', async () => {
    const response = await fetch(`${inject('siteUrl')}/notices/rss.xml`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/xml/)
    const xml = await response.text()

    // Chromium's XML parser is the judge of well-formedness.
    const { page } = await watchedPage(session.withJs)
    await page.goto('/notices/')
    const feed = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'application/xml')
      return {
        error: doc.querySelector('parsererror')?.textContent ?? null,
        channel: doc.querySelector('channel > title')?.textContent,
        titles: [...doc.querySelectorAll('item > title')].map((n) => n.textContent),
        links: [...doc.querySelectorAll('item > link')].map((n) => n.textContent),
      }
    }, xml)
    expect(feed.error).toBeNull()
    expect(feed.channel).toBe('丽水诚信计量 · 公告')
    expect(feed.titles).toEqual(titles)
    // SITE_URL is unset here: the links name the address the product actually serves on.
    for (const link of feed.links) {
      expect(link.startsWith(`${inject('siteUrl')}/notices/`)).toBe(true)
      expect(link).toMatch(/\/notices\/[\w-]+\/$/)
    }
  })

  test('every page carries the demo banner, including on-demand ones', async () => {
    const { page, problems } = await watchedPage(session.withoutJs)
    for (const address of [
      '/notices/',
      '/notices/2026-11-02-revocation/',
      '/search?q=x',
      '/nope',
    ]) {
      await page.goto(address)
      expect(await textsOf(page, '.demo-banner'), address).toEqual(['演示数据：并非真实认定名单'])
    }
    expect(problems.filter((p) => !p.includes('404'))).toEqual([])
  })
})
