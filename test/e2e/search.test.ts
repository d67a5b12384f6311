import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { openSession, textsOf, watchedPage, type Session } from '../support/browser.ts'
import { awayFromWindowEdge } from '../support/windows.ts'

let session: Session
beforeAll(async () => {
  session = await openSession()
})
afterAll(async () => {
  await session.close()
})

const searchBox = '单位名称、地址或统一社会信用代码'

describe('the search page with JavaScript off', () => {
  test('says what to do before anything is searched', async () => {
    const { page, problems } = await watchedPage(session.withoutJs)
    const response = await page.goto('/search')
    expect(response?.status()).toBe(200)
    expect(await textsOf(page, '#search-results')).toEqual([
      expect.stringContaining('请输入单位名称、地址或统一社会信用代码'),
    ])
    expect(problems).toEqual([])
  })

  test('submitting 菜场 lists 莲都区万象菜场 (a partial Chinese name)', async () => {
    const { page, problems } = await watchedPage(session.withoutJs)
    await page.goto('/search')
    await page.getByLabel(searchBox).fill('菜场')
    await page.locator('#search-form').getByRole('button', { name: '搜索' }).click()
    await page.waitForURL((url) => url.searchParams.get('q') === '菜场')
    expect(await textsOf(page, '.enterprise-row .row-name')).toContain('莲都区万象菜场')
    expect(await textsOf(page, '#search-summary')).toEqual([
      expect.stringMatching(/^找到 \d+ 个单位。$/),
    ])
    expect(await page.getByLabel(searchBox).inputValue()).toBe('菜场')
    expect(problems).toEqual([])
  })

  test('a search that finds nothing says so and gives advice', async () => {
    const { page, problems } = await watchedPage(session.withoutJs)
    await page.goto(`/search?q=${encodeURIComponent('没有这家单位喔')}`)
    const text = (await textsOf(page, '#search-results'))[0] ?? ''
    expect(text).toContain('没有找到与“没有这家单位喔”相符的单位。')
    expect(text).toContain('只输入名称中的两三个字')
    expect(await textsOf(page, '#search-summary')).toEqual(['没有找到符合条件的单位。'])
    expect(problems).toEqual([])
  })

  test('finds notices too', async () => {
    const { page, problems } = await watchedPage(session.withoutJs)
    await page.goto(`/search?q=${encodeURIComponent('世界计量日')}`)
    const notices = page.locator('.notice-hits a')
    expect(await notices.allInnerTexts()).toContain('2026年“5·20”世界计量日丽水市系列活动公告')
    expect(problems).toEqual([])
  })
})

describe('the search page with JavaScript on', () => {
  test('typing 菜场 shows results in place, with one request after the pause and no page load', async () => {
    const { page, problems } = await watchedPage(session.withJs)
    // The page's clock is ours: typing happens while it stands still, so the debounce is tested
    // by its logic, not by how fast a loaded machine delivers keystrokes.
    await page.clock.install({ time: new Date('2026-11-26T10:00:00+08:00') })
    await page.goto('/search')
    await page.clock.pauseAt(new Date('2026-11-26T10:01:00+08:00'))
    const apiCalls: string[] = []
    page.on('request', (request) => {
      if (new URL(request.url()).pathname.startsWith('/api/')) apiCalls.push(request.url())
    })
    let navigations = 0
    page.on('framenavigated', (frame) => {
      if (frame === page.mainFrame()) navigations++
    })

    await page.getByLabel(searchBox).pressSequentially('菜场', { delay: 30 })
    expect(apiCalls).toEqual([])
    await page.clock.runFor(250)
    await page.clock.resume()
    await page
      .locator('#search-results .row-name', { hasText: '莲都区万象菜场' })
      .waitFor({ timeout: 10_000 })

    // 菜场 is read as the market sector: every market matches, more than the live list shows.
    expect(await textsOf(page, '[aria-live="polite"]')).toEqual([
      expect.stringMatching(/^找到 \d+ 个以上单位/),
    ])
    expect(navigations).toBe(0)
    expect(new URL(page.url()).pathname).toBe('/search')
    expect(new URL(page.url()).search).toBe('')
    // Two keystrokes before the 200 ms pause ends make one request.
    expect(apiCalls).toHaveLength(1)
    expect(decodeURIComponent(apiCalls[0]!)).toContain('/api/search?q=菜场')
    expect(problems).toEqual([])
  })

  test('the live region reports when nothing matches, and the latest text wins', async () => {
    const { page, problems } = await watchedPage(session.withJs)
    await page.goto('/search')
    const box = page.getByLabel(searchBox)
    await box.pressSequentially('加油站', { delay: 30 })
    await page.locator('#search-results .row-name', { hasText: '加油站' }).first().waitFor()
    await box.fill('没有这家单位喔')
    await page
      .locator('[aria-live="polite"]', { hasText: '没有找到符合条件的单位。' })
      .waitFor({ timeout: 10_000 })
    expect(await page.locator('#search-results .row-name').count()).toBe(0)
    expect(await textsOf(page, '#search-results')).toEqual([
      expect.stringContaining('没有找到与“没有这家单位喔”相符的单位。'),
    ])
    expect(problems).toEqual([])
  })

  test('choosing a status filters the live results through the directory API', async () => {
    const { page, problems } = await watchedPage(session.withJs)
    await page.goto('/search')
    await page.getByLabel('认定状态', { exact: true }).selectOption({ label: '撤销' })
    await page
      .locator('[aria-live="polite"]', { hasText: /找到 \d+ 个单位/ })
      .waitFor({ timeout: 10_000 })
    const badges = await textsOf(page, '#search-results .row-status')
    expect(badges.length).toBeGreaterThan(0)
    expect(new Set(badges)).toEqual(new Set(['撤销']))
    expect(new URL(page.url()).search).toBe('')
    expect(problems).toEqual([])
  })

  test('pressing Enter still submits the form for the full, paginated results', async () => {
    const { page, problems } = await watchedPage(session.withJs)
    await page.goto('/search')
    await page.getByLabel(searchBox).fill('菜场')
    await page.getByLabel(searchBox).press('Enter')
    await page.waitForURL((url) => url.searchParams.get('q') === '菜场')
    expect(await textsOf(page, '.enterprise-row .row-name')).toContain('莲都区万象菜场')
    expect(problems).toEqual([])
  })
})

describe('too many searches from one client', () => {
  test('the page says so with 429, with JavaScript off, and the live search says so too', async () => {
    // Another client behind the proxy: its minute is used up through the API.
    const client = { 'x-forwarded-for': '198.51.100.77' }
    const limit = inject('siteSearchLimit')
    const url = `${inject('siteUrl')}/api/search?q=${encodeURIComponent('菜场')}`
    // Searches are counted per clock minute: all of this test's must fall in one, even on a
    // machine busy with the rest of the suite (once seen to miss the live search's refusal).
    await awayFromWindowEdge(60, 50_000)
    const answers: number[] = []
    for (let i = 0; i < limit; i += 8) {
      const batch = Array.from({ length: Math.min(8, limit - i) }, () =>
        fetch(url, { headers: client }).then((r) => r.status),
      )
      answers.push(...(await Promise.all(batch)))
    }
    expect(answers.filter((status) => status !== 200)).toEqual([])

    const { page, problems } = await watchedPage(session.withoutJs)
    await page.setExtraHTTPHeaders(client)
    const response = await page.goto(`/search?q=${encodeURIComponent('菜场')}`)
    expect(response?.status()).toBe(429)
    expect(Number(response?.headers()['retry-after'])).toBeGreaterThanOrEqual(1)
    const message = expect.stringMatching(
      new RegExp(`^搜索太频繁：同一网络每分钟最多搜索 ${limit} 次。请在 \\d+ 秒后再试。$`),
    ) as string
    expect(await textsOf(page, '#search-summary')).toEqual([message])
    expect(await textsOf(page, '#search-limited')).toEqual([
      expect.stringContaining('只按区县、行业浏览 诚信计量单位名录 不受此限制') as string,
    ])
    // The page's own 429 is the only problem.
    expect(problems.filter((p) => !p.includes('429'))).toEqual([])

    const live = await watchedPage(session.withJs)
    await live.page.setExtraHTTPHeaders(client)
    await live.page.goto('/search')
    await live.page.getByLabel(searchBox).fill('加油站')
    await live.page
      .locator('[aria-live="polite"]', { hasText: '搜索太频繁' })
      .waitFor({ timeout: 20_000 })
    expect(await textsOf(live.page, '[aria-live="polite"]')).toEqual([message])

    // The same page for everyone else.
    const other = await watchedPage(session.withoutJs)
    expect((await other.page.goto(`/search?q=${encodeURIComponent('菜场')}`))?.status()).toBe(200)
  })
})
