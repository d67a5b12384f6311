import { randomBytes, randomUUID } from 'node:crypto'
import AxeBuilder from '@axe-core/playwright'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { sessionCookieName } from '../../api/services/admin/sessions.ts'
import { createDb, type Db } from '../../db/client.ts'
import { openSession, textsOf, type Session } from '../support/browser.ts'
import { operatorSession } from '../support/operators.ts'

/**
 * "Others reported this too" and 合并办理 in Chromium (issue 25, item 4). A resident filing in steps
 * without scripts is told on the step after naming the business how many cases about it are
 * being handled; with scripts, the one-page form says it as the business is typed. A handler,
 * without scripts, merges a likely duplicate from the case page, and the merged case's resident
 * finds the merged handling under their own tracking number.
 */

let session: Session
let db: Db
const tag = randomBytes(3).toString('hex')
const stall = { merchantName: `合并测试菜场${tag}号摊`, address: `莲都区合并测试菜场${tag}号` }
let address = 0

beforeAll(async () => {
  session = await openSession({ width: 320, height: 640 })
  db = createDb({ connectionString: inject('siteDatabaseUrl'), max: 1 })
})
afterAll(async () => {
  await session.close()
  await db.destroy()
})

async function fileReport() {
  const res = await fetch(new URL('/api/complaints', inject('siteUrl')), {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-forwarded-for': `192.0.2.${120 + address++}`,
    },
    body: JSON.stringify({
      kind: 'report',
      category: 'short_weight',
      county: '331102',
      ...stall,
      occurredAt: '2026-11-20T09:30',
      description: `摊主的秤每斤少二两。（${randomUUID().slice(0, 8)}）`,
      consent: true,
    }),
  })
  expect(res.status).toBe(201)
  return (await res.json()) as { trackingNo: string; queryCode: string }
}

/** Waits until the worker has filed the cases under their business and the count says `n`. */
async function waitForCount(n: number) {
  const query = new URLSearchParams({ county: '331102', ...stall })
  const deadline = Date.now() + 30_000
  for (;;) {
    const res = await fetch(new URL(`/api/complaints/open-cases?${query}`, inject('siteUrl')))
    const body = (await res.json()) as { count: number }
    if (body.count === n) return
    if (Date.now() > deadline) throw new Error(`the count never reached ${n}: ${body.count}`)
    await new Promise((r) => setTimeout(r, 500))
  }
}

async function submit(page: Page, button: string) {
  const answer = page.waitForResponse((r) => r.request().method() === 'POST')
  await page.getByRole('button', { name: button }).click()
  const status = (await answer).status()
  await page.waitForLoadState()
  return status
}

/** A context that loads no script: the page as without JavaScript, with axe still able to run. */
async function scriptlessPage(): Promise<Page> {
  const context = await session.browser.newContext({
    baseURL: session.baseUrl,
    locale: 'zh-CN',
    viewport: { width: 320, height: 640 },
  })
  await context.route('**/*', (route) =>
    route.request().resourceType() === 'script' ? route.abort() : route.continue(),
  )
  return context.newPage()
}

async function expectAccessible(page: Page) {
  const { violations } = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze()
  expect(violations.map((v) => v.id)).toEqual([])
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(320)
}

const yesterday = () =>
  new Date(Date.now() - 24 * 3600_000 + 8 * 3600_000).toISOString().slice(0, 16)

describe('others reported this too, and merging', () => {
  let first: { trackingNo: string; queryCode: string }
  let second: { trackingNo: string; queryCode: string }

  test('a resident filing in steps without scripts is told how many cases are open', async () => {
    first = await fileReport()
    second = await fileReport()
    await waitForCount(2)
    const page = await scriptlessPage()
    try {
      await page.goto('/complaints/steps/what')
      await page.getByLabel('举报', { exact: true }).check()
      await page.getByLabel('问题类别').selectOption({ label: '缺斤短两' })
      await page.getByLabel('发生时间').fill(yesterday())
      await page.getByLabel('事情经过').fill(`秤不准，少了二两。（${tag}）`)
      expect(await submit(page, '保存并继续')).toBe(303)
      await page.getByLabel('商户或单位名称').fill(stall.merchantName)
      await page.getByLabel('事发区县').selectOption({ label: '莲都区' })
      await page.getByLabel('事发地址').fill(stall.address)
      await submit(page, '保存并继续')
      expect(new URL(page.url()).pathname).toBe('/complaints/steps/about')
      expect((await textsOf(page, '#merchant-open-cases'))[0]).toContain(
        '已有 2 件关于该单位的投诉举报正在办理',
      )
      await expectAccessible(page)
    } finally {
      await page.context().close()
    }
  })

  test('the one-page form says it as the business is typed', async () => {
    const page = await session.withJs.newPage()
    try {
      await page.goto('/complaints/submit')
      await page.getByLabel('商户或单位名称').fill(stall.merchantName)
      await page.getByLabel('事发区县').selectOption({ label: '莲都区' })
      await page.getByLabel('事发地址').fill(stall.address)
      await page.getByLabel('事发地址').blur()
      await page.waitForFunction(() =>
        document.querySelector('#merchant-open-cases')?.textContent.includes('已有 2 件'),
      )
    } finally {
      await page.close()
    }
  })

  test('a handler merges the duplicate without scripts, and its resident sees the handling', async () => {
    const token = (await operatorSession(db, 'county_handler', '331102', `e2emerge${tag}`)).token
    const page = await scriptlessPage()
    try {
      await page
        .context()
        .addCookies([{ name: sessionCookieName, value: token, url: session.baseUrl }])
      const { id } = await db
        .selectFrom('complaints')
        .select('id')
        .where('trackingNo', '=', first.trackingNo)
        .executeTakeFirstOrThrow()
      await page.goto(`/admin/cases/${id}`)
      const listed = await textsOf(page, '#case-duplicates li')
      expect(listed.some((t) => t.includes(second.trackingNo) && t.includes('同一单位'))).toBe(true)
      await expectAccessible(page)
      await page.getByRole('button', { name: `把 ${second.trackingNo} 并入本案` }).click()
      await page.waitForURL((url) => url.searchParams.has('merged'))
      expect((await textsOf(page, '#case-done'))[0]).toContain(
        `已把案件 ${second.trackingNo} 并入本案`,
      )
      expect((await textsOf(page, '#case-merged'))[0]).toContain(second.trackingNo)

      await page.goto(`/complaints/track?no=${second.trackingNo}`)
      await page.getByLabel('查询码').fill(second.queryCode)
      expect(await submit(page, '查询')).toBe(200)
      expect(await page.content()).toContain('合并办理')
      expect(await page.content()).not.toContain(first.trackingNo)
      await expectAccessible(page)
    } finally {
      await page.context().close()
    }
  })
})
