import { randomUUID } from 'node:crypto'
import AxeBuilder from '@axe-core/playwright'
import type { Page } from 'playwright-core'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { createDb, type Db } from '../../db/client.ts'
import { openSession, textsOf, type Session } from '../support/browser.ts'

/**
 * 满意度与复核 on the tracking page in Chromium without its scripts, on a 320 px phone (issue 25,
 * acceptance 3): a handled case offers the rating; 不满意 with 申请复核 sends it back as 复核中,
 * and the page no longer offers either. The case is made handled in the database: handling has
 * browser tests of its own.
 */

let session: Session
let db: Db
beforeAll(async () => {
  session = await openSession({ width: 320, height: 640 })
  db = createDb({ connectionString: inject('siteDatabaseUrl'), max: 1 })
})
afterAll(async () => {
  await session.close()
  await db.destroy()
})

async function handledCase() {
  const res = await fetch(new URL('/api/complaints', inject('siteUrl')), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.92' },
    body: JSON.stringify({
      kind: 'complaint',
      category: 'short_weight',
      county: '331102',
      merchantName: '评价测试摊位',
      address: '城东菜场 21 号',
      occurredAt: '2026-11-20T09:30',
      // Unique: the same body twice is one complaint (the intake's idempotency).
      description: `买了一斤虾，复秤只有八两半。（${randomUUID().slice(0, 8)}）`,
      name: '钱多多',
      phone: '13805780021',
      consent: true,
    }),
  })
  expect(res.status).toBe(201)
  const filed = (await res.json()) as { trackingNo: string; queryCode: string }
  await db
    .updateTable('complaints')
    .set({
      status: 'resolved',
      resolvedAt: sql<Date>`now()`,
      publicReply: '经核查，已责令改正。',
      handlingResult: '已责令改正。',
      finding: 'substantiated',
      followUp: 'ordered',
    })
    .where('trackingNo', '=', filed.trackingNo)
    .execute()
  return filed
}

async function submit(page: Page, button: string) {
  const answer = page.waitForResponse((r) => r.request().method() === 'POST')
  await page.getByRole('button', { name: button }).click()
  const status = (await answer).status()
  await page.waitForLoadState()
  return status
}

describe('rating the outcome with JavaScript off', () => {
  test('不满意 with 申请复核 sends the case back as 复核中, once', async () => {
    const filed = await handledCase()
    // The page's own scripts are refused (as with JavaScript off), so that axe can still run.
    const context = await session.browser.newContext({
      baseURL: session.baseUrl,
      locale: 'zh-CN',
      viewport: { width: 320, height: 640 },
    })
    await context.route('**/*', (route) =>
      route.request().resourceType() === 'script' ? route.abort() : route.continue(),
    )
    const page = await context.newPage()
    try {
      await page.goto(`/complaints/track?no=${filed.trackingNo}`)
      await page.getByLabel('查询码').fill(filed.queryCode)
      expect(await submit(page, '查询')).toBe(200)
      // The query code is not written into the page, not even in the forms' hidden fields.
      expect(await page.content()).not.toContain(filed.queryCode)
      const { violations } = await new AxeBuilder({ page })
        .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
        .analyze()
      expect(violations.map((v) => v.id)).toEqual([])
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        320,
      )

      // Submitting without a choice: told so, nothing stored.
      expect(await submit(page, '提交评价')).toBe(422)
      expect((await textsOf(page, '#feedback-rating-error'))[0]).toContain('请选择')

      await page.getByLabel('不满意', { exact: true }).check()
      await page.getByLabel('意见（选填）').fill('秤还是不准。')
      await page.getByLabel('不满意，同时申请复核').check()
      expect(await submit(page, '提交评价')).toBe(200)
      expect((await textsOf(page, '#feedback-notice'))[0]).toContain('已收到您的复核申请')
      expect((await textsOf(page, '#feedback-given'))[0]).toContain('已申请复核')
      expect((await textsOf(page, '#track-result'))[0]).toContain('复核中')
      expect(await page.getByRole('button', { name: '提交评价' }).count()).toBe(0)
      expect(await page.getByRole('button', { name: '申请复核' }).count()).toBe(0)

      const row = await db
        .selectFrom('complaints')
        .select(['status', 'rating', 'reviewRequestedAt'])
        .where('trackingNo', '=', filed.trackingNo)
        .executeTakeFirstOrThrow()
      expect(row).toMatchObject({ status: 'review', rating: 'unsatisfied' })
      expect(row.reviewRequestedAt).not.toBeNull()
    } finally {
      await context.close()
    }
  })

  test('a form whose code was replaced meanwhile is answered as a failed lookup, not an error', async () => {
    const filed = await handledCase()
    const page = await session.withoutJs.newPage()
    try {
      await page.goto(`/complaints/track?no=${filed.trackingNo}`)
      await page.getByLabel('查询码').fill(filed.queryCode)
      expect(await submit(page, '查询')).toBe(200)
      // A new query code was issued in another tab (找回查询码): the page's token holds the old one.
      await db
        .updateTable('complaints')
        .set({ queryCodeHash: Buffer.alloc(32) })
        .where('trackingNo', '=', filed.trackingNo)
        .execute()
      await page.getByLabel('满意', { exact: true }).check()
      expect(await submit(page, '提交评价')).toBe(404)
      expect((await textsOf(page, '#track-refused'))[0]).toContain('没有找到记录')
      const row = await db
        .selectFrom('complaints')
        .select('rating')
        .where('trackingNo', '=', filed.trackingNo)
        .executeTakeFirstOrThrow()
      expect(row.rating).toBeNull()
    } finally {
      await page.close()
    }
  })
})
