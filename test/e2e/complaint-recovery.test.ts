import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { createDb, type Db } from '../../db/client.ts'
import { openSession, textsOf, type Session } from '../support/browser.ts'

/**
 * 找回查询码 in Chromium with JavaScript off, on a 320 px phone (issue 25, acceptance 2): the
 * resident asks for a code with the tracking number and the phone they left, types it (the
 * served product has no SMS transport, so the test reads the queued message from the database,
 * as the phone would receive it), sees the case and a new query code, and the old code no longer
 * opens the case.
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

async function fileWithPhone(phone: string) {
  const res = await fetch(new URL('/api/complaints', inject('siteUrl')), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.91' },
    body: JSON.stringify({
      kind: 'complaint',
      category: 'short_weight',
      county: '331102',
      merchantName: '找回查询码测试摊位',
      address: '城西农贸市场 3 号',
      occurredAt: '2026-11-20T09:30',
      description: '买了两斤苹果，复秤只有一斤七两。',
      name: '孙丽',
      phone,
      consent: true,
    }),
  })
  expect(res.status).toBe(201)
  return (await res.json()) as { trackingNo: string; queryCode: string }
}

/** The code in the newest recovery message of the case, as its SMS carries it. */
async function queuedCode(trackingNo: string) {
  const row = await db
    .selectFrom('smsMessages as m')
    .innerJoin('complaints as c', 'c.id', 'm.complaintId')
    .select(['m.params'])
    .where('c.trackingNo', '=', trackingNo)
    .where('m.event', '=', 'recovery_code')
    .orderBy('m.id', 'desc')
    .executeTakeFirstOrThrow()
  return row.params.code!
}

async function submit(page: import('playwright-core').Page, button: string) {
  const answer = page.waitForResponse((r) => r.request().method() === 'POST')
  await page.getByRole('button', { name: button }).click()
  const response = await answer
  await page.waitForLoadState()
  return response.status()
}

describe('recovering a lost query code with JavaScript off', () => {
  test('from the tracking page to a new query code; the old one stops working', async () => {
    const phone = '13805782468'
    const filed = await fileWithPhone(phone)
    const page = await session.withoutJs.newPage()
    try {
      // A wrong code on the tracking page offers the way back.
      await page.goto(`/complaints/track?no=${filed.trackingNo}`)
      await page.getByLabel('查询码').fill('AAAA-AAAA')
      expect(await submit(page, '查询')).toBe(404)
      await page.getByRole('link', { name: '凭提交时留下的手机号找回' }).click()
      await page.waitForURL((url) => url.pathname === '/complaints/recover')
      expect(await page.getByLabel('受理编号').inputValue()).toBe(filed.trackingNo)

      // A landline is refused, saying what to type.
      await page.getByLabel('手机号').fill('0578-2123456')
      expect(await submit(page, '获取短信验证码')).toBe(422)
      expect((await textsOf(page, '#recover-phone-error'))[0]).toContain('11 位手机号')

      await page.getByLabel('手机号').fill(phone)
      expect(await submit(page, '获取短信验证码')).toBe(200)
      expect((await textsOf(page, '#recover-sent'))[0]).toContain('验证码已发送到该手机')
      const code = await queuedCode(filed.trackingNo)
      expect(code).toMatch(/^\d{6}$/)

      // One wrong code: told so beside the field, the code can be typed again.
      await page.getByLabel('短信验证码').fill(code === '000000' ? '111111' : '000000')
      expect(await submit(page, '验证并查看办理进度')).toBe(404)
      expect((await textsOf(page, '#recover-code-error'))[0]).toContain('验证码不正确或已失效')

      await page.getByLabel('短信验证码').fill(code)
      expect(await submit(page, '验证并查看办理进度')).toBe(200)
      const newCode = (await textsOf(page, '#recover-query-code'))[0]!
      expect(newCode).toMatch(/^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/)
      expect(newCode).not.toBe(filed.queryCode)
      const main = (await textsOf(page, 'main'))[0] ?? ''
      expect(main).toContain(filed.trackingNo)
      expect(main).not.toContain('孙丽')
      expect(main).not.toContain(phone)
      // Nothing sideways on a 320 px phone.
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
        320,
      )

      // The old code no longer opens the case; the new one does.
      await page.goto(`/complaints/track?no=${filed.trackingNo}`)
      await page.getByLabel('查询码').fill(filed.queryCode)
      expect(await submit(page, '查询')).toBe(404)
      await page.getByLabel('受理编号').fill(filed.trackingNo)
      await page.getByLabel('查询码').fill(newCode)
      expect(await submit(page, '查询')).toBe(200)
      expect((await textsOf(page, '#track-result'))[0]).toContain('原查询码不再有效')
    } finally {
      await page.close()
    }
  })

  test('three wrong codes lock the tracking number, the right one included', async () => {
    const phone = '13805781357'
    const filed = await fileWithPhone(phone)
    const page = await session.withoutJs.newPage()
    try {
      await page.goto(`/complaints/recover?no=${filed.trackingNo}`)
      await page.getByLabel('手机号').fill(phone)
      expect(await submit(page, '获取短信验证码')).toBe(200)
      const code = await queuedCode(filed.trackingNo)
      const wrong = code === '000000' ? '111111' : '000000'
      for (let i = 0; i < 3; i++) {
        await page.getByLabel('短信验证码').fill(wrong)
        expect(await submit(page, '验证并查看办理进度')).toBe(404)
      }
      await page.getByLabel('短信验证码').fill(code)
      expect(await submit(page, '验证并查看办理进度')).toBe(429)
      expect((await textsOf(page, '#recover-refused'))[0]).toContain('已连续输错 3 次')
    } finally {
      await page.close()
    }
  })
})
