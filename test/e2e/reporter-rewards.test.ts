import { randomBytes, randomUUID } from 'node:crypto'
import AxeBuilder from '@axe-core/playwright'
import type { BrowserContext, Page } from 'playwright-core'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { sessionCookieName } from '../../api/services/admin/sessions.ts'
import { createDb, type Db } from '../../db/client.ts'
import { openSession, textsOf, type Session } from '../support/browser.ts'
import { operatorSession } from '../support/operators.ts'

/**
 * 举报奖励 in Chromium with JavaScript off (issue 25, item 5; acceptance 5): a county handler
 * proposes a reward on the case page, a city administrator approves it there, the anonymous
 * reporter confirms on the tracking page (at 320 px, checked with axe) how to receive it, the
 * handler records the payment and the reporter reads it. The case is made handled in the
 * database: handling has browser tests of its own.
 */

let session: Session
let db: Db
const tag = randomBytes(3).toString('hex')
const contexts: BrowserContext[] = []

beforeAll(async () => {
  session = await openSession()
  db = createDb({ connectionString: inject('siteDatabaseUrl'), max: 1 })
})
afterAll(async () => {
  for (const context of contexts) await context.close()
  await session.close()
  await db.destroy()
})

/** A browser context without the pages' scripts, signed in as a new operator of `role` if given. */
async function contextOf(
  viewport: { width: number; height: number },
  role?: 'county_handler' | 'city_admin',
) {
  const context = await session.browser.newContext({
    baseURL: session.baseUrl,
    locale: 'zh-CN',
    viewport,
  })
  contexts.push(context)
  // The pages' own scripts are refused (as with JavaScript off), so that axe can still run.
  await context.route('**/*', (route) =>
    route.request().resourceType() === 'script' ? route.abort() : route.continue(),
  )
  if (role) {
    const county = role === 'county_handler' ? '331102' : null
    const { token } = await operatorSession(db, role, county, `e2ereward${role.slice(0, 4)}${tag}`)
    await context.addCookies([{ name: sessionCookieName, value: token, url: session.baseUrl }])
  }
  return context
}

/** An anonymous 举报, made handled as 查实 with 立案查处 in the database. */
async function handledReport() {
  const res = await fetch(new URL('/api/complaints', inject('siteUrl')), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.95' },
    body: JSON.stringify({
      kind: 'report',
      category: 'rigged_instrument',
      county: '331102',
      merchantName: `奖励测试摊位${tag}`,
      address: '城东菜场 31 号',
      occurredAt: '2026-11-20T09:30',
      description: `电子秤装了遥控器。（${randomUUID().slice(0, 8)}）`,
      consent: true,
    }),
  })
  expect(res.status).toBe(201)
  const filed = (await res.json()) as { trackingNo: string; queryCode: string }
  const row = await db
    .updateTable('complaints')
    .set({
      status: 'resolved',
      acceptedAt: sql<Date>`now()`,
      resolvedAt: sql<Date>`now()`,
      publicReply: '经核查，您反映的问题属实，已立案查处。',
      handlingResult: '已立案查处。',
      finding: 'substantiated',
      followUp: 'penalized',
    })
    .where('trackingNo', '=', filed.trackingNo)
    .returning('id')
    .executeTakeFirstOrThrow()
  return { ...filed, id: row.id }
}

/** Clicks a submit button and waits for the page the post answers with; returns its status. */
async function submit(page: Page, button: string) {
  const answer = page.waitForResponse((r) => r.request().method() === 'POST')
  await page.getByRole('button', { name: button, exact: true }).click()
  const status = (await answer).status()
  await page.waitForLoadState()
  return status
}

describe('a reporter’s reward with JavaScript off', () => {
  test('proposed, approved, confirmed by the anonymous reporter, paid and seen', async () => {
    const filed = await handledReport()
    const handler = await (
      await contextOf({ width: 1280, height: 900 }, 'county_handler')
    ).newPage()
    const admin = await (await contextOf({ width: 1280, height: 900 }, 'city_admin')).newPage()
    const reporter = await (await contextOf({ width: 320, height: 640 })).newPage()

    // The county handler proposes; approving is not offered to them.
    await handler.goto(`/admin/cases/${filed.id}`)
    await handler.getByLabel('奖励金额（元）').fill('1234.56')
    await handler.getByLabel('奖励依据').selectOption('grade_3')
    await handler.getByLabel('计算说明（内部，可不填）').fill('提供线索，经查属实。')
    await submit(handler, '提出奖励')
    expect((await textsOf(handler, '#case-done'))[0]).toContain('提出举报奖励')
    expect((await textsOf(handler, '#reward-state'))[0]).toBe('待审批')
    expect(await handler.getByRole('button', { name: '批准', exact: true }).count()).toBe(0)

    // The reporter sees nothing of a proposal.
    await reporter.goto(`/complaints/track?no=${filed.trackingNo}`)
    await reporter.getByLabel('查询码').fill(filed.queryCode)
    expect(await submit(reporter, '查询')).toBe(200)
    expect(await reporter.locator('#reward').count()).toBe(0)

    // The city administrator approves.
    await admin.goto(`/admin/cases/${filed.id}`)
    await submit(admin, '批准')
    expect((await textsOf(admin, '#reward-state'))[0]).toContain('已批准')

    // The anonymous reporter, with the query code, sees the amount and confirms.
    await reporter.goto(`/complaints/track?no=${filed.trackingNo}`)
    await reporter.getByLabel('查询码').fill(filed.queryCode)
    expect(await submit(reporter, '查询')).toBe(200)
    expect((await textsOf(reporter, '#reward-amount'))[0]).toBe('1234.56 元')
    expect(await reporter.content()).not.toContain(filed.queryCode)
    const { violations } = await new AxeBuilder({ page: reporter })
      .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
      .analyze()
    expect(violations.map((v) => v.id)).toEqual([])
    expect(await reporter.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      320,
    )

    // Without a choice: told what to do, nothing stored.
    expect(await submit(reporter, '确认领取方式')).toBe(422)
    expect((await textsOf(reporter, '#reward-method-error'))[0]).toContain('请选择领取方式')
    await reporter.getByLabel('银行转账', { exact: true }).check()
    await reporter.getByLabel('收款人姓名（银行转账时填写）').fill('周举报')
    await reporter.getByLabel('开户银行（银行转账时填写）').fill('中国农业银行丽水分行')
    await reporter.getByLabel('银行账号（银行转账时填写）').fill('6228 4800 9876 5432 100')
    expect(await submit(reporter, '确认领取方式')).toBe(200)
    expect((await textsOf(reporter, '#reward-notice'))[0]).toContain('已收到您的确认')
    expect((await textsOf(reporter, '#reward-state'))[0]).toBe('已确认领取方式，等待发放')
    expect(await reporter.getByRole('button', { name: '确认领取方式' }).count()).toBe(0)

    // The handler sees the account masked and records the payment.
    await handler.goto(`/admin/cases/${filed.id}`)
    const claim = (await textsOf(handler, '#reward-claim'))[0]
    expect(claim).toContain('**** **** 2100')
    expect(claim).not.toContain('9876')
    await handler.getByLabel('转账流水号或领取凭证编号').fill(`NYH${tag}`)
    await submit(handler, '登记发放')
    expect((await textsOf(handler, '#reward-state'))[0]).toBe('已发放')

    await reporter.goto(`/complaints/track?no=${filed.trackingNo}`)
    await reporter.getByLabel('查询码').fill(filed.queryCode)
    expect(await submit(reporter, '查询')).toBe(200)
    expect((await textsOf(reporter, '#reward-state'))[0]).toBe('已发放')
    expect((await textsOf(reporter, '#reward-facts'))[0]).toContain(`NYH${tag}`)

    // The amount is on no public page.
    for (const path of ['/statistics', `/search?q=${encodeURIComponent(`奖励测试摊位${tag}`)}`]) {
      const html = await (await fetch(new URL(path, session.baseUrl))).text()
      expect(html).not.toContain('1234.56')
    }
  })
})
