import { operatorSession } from '../support/operators.ts'
import { randomBytes } from 'node:crypto'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { sessionCookieName } from '../../api/services/admin/sessions.ts'
import { createDb, type Db } from '../../db/client.ts'
import { openSession, textsOf, watchedPage, type Session } from '../support/browser.ts'

let session: Session
let db: Db
let cookie: string
/** This run's own merchant names, so the product's other data never matches. */
const tag = randomBytes(3).toString('hex')
const merchant = `丽阳菜场${tag}号摊`
const otherMerchant = `白云加油站${tag}`
let filed: { trackingNo: string; queryCode: string }
let report: { trackingNo: string; queryCode: string }

/** A complaint filed as any client files one: POST /api/complaints. */
async function fileComplaint(body: Record<string, unknown>) {
  const res = await fetch(`${session.baseUrl}/api/complaints`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      category: 'short_weight',
      county: '331102',
      address: '莲都区丽阳街道菜场',
      occurredAt: '2026-11-25T08:30',
      description: '买了两斤排骨，回家复秤只有一斤七两。',
      consent: true,
      ...body,
    }),
  })
  expect(res.status).toBe(201)
  return (await res.json()) as { trackingNo: string; queryCode: string }
}

/**
 * A county handler of 莲都区 with a fully signed-in session, made directly in the product's
 * database (sign-in has tests of its own): the token's hash is stored, the token is the cookie.
 */
async function signedInHandler(): Promise<string> {
  return (await operatorSession(db, 'county_handler', '331102', `e2ehandler${tag}`)).token
}

async function signIn(context: BrowserContext) {
  await context.addCookies([{ name: sessionCookieName, value: cookie, url: session.baseUrl }])
}

/** Waits until the private index has both complaints: the queue's search reads it. */
async function waitUntilSearchable() {
  const deadline = Date.now() + 30_000
  for (;;) {
    const res = await fetch(
      `${session.baseUrl}/api/admin/cases?q=${encodeURIComponent(`丽阳菜场${tag}`)}`,
      { headers: { cookie: `${sessionCookieName}=${cookie}` } },
    )
    const body = (await res.json()) as { items: { trackingNo: string }[] }
    if (body.items.some((i) => i.trackingNo === filed.trackingNo)) return
    if (Date.now() > deadline) throw new Error('the complaint never reached the private index')
    await new Promise((r) => setTimeout(r, 250))
  }
}

beforeAll(async () => {
  session = await openSession()
  db = createDb({ connectionString: inject('siteDatabaseUrl'), max: 1 })
  cookie = await signedInHandler()
  await signIn(session.withJs)
  await signIn(session.withoutJs)
  filed = await fileComplaint({
    kind: 'complaint',
    merchantName: merchant,
    name: '林晓红',
    phone: '13857801234',
  })
  report = await fileComplaint({
    kind: 'report',
    category: 'fuel_dispenser',
    merchantName: otherMerchant,
    description: '加油机显示 40 升，油箱只进了约 36 升。',
  })
  await waitUntilSearchable()
})
afterAll(async () => {
  await session.close()
  await db.destroy()
})

const rowNumbers = (page: Page) => textsOf(page, '.case-table tbody tr td:first-child')

/** Opens the disclosure of one of a case's other actions (the next step is shown open). */
async function openAction(page: Page, label: string) {
  await page
    .locator('#case-actions details > summary')
    .filter({ hasText: new RegExp(`^${label}$`) })
    .click()
}

describe('the case queue with JavaScript off', () => {
  test('a handler filters by kind and status with the plain GET form', async () => {
    const { page, problems } = await watchedPage(session.withoutJs)
    const first = await page.goto('/admin/cases')
    expect(first?.status()).toBe(200)
    expect(first?.headers()['cache-control']).toBe('no-store')
    expect(await rowNumbers(page)).toEqual(
      expect.arrayContaining([filed.trackingNo, report.trackingNo]),
    )

    await page.getByText('更多筛选').click()
    await page.getByLabel('类型', { exact: true }).selectOption({ label: '举报' })
    await page.getByLabel('状态', { exact: true }).selectOption({ label: '已接收' })
    await page.getByRole('button', { name: '筛选', exact: true }).click()
    await page.waitForURL((url) => url.searchParams.get('kind') === 'report')
    expect(new URL(page.url()).searchParams.get('status')).toBe('received')
    const numbers = await rowNumbers(page)
    expect(numbers).toContain(report.trackingNo)
    expect(numbers).not.toContain(filed.trackingNo)
    // The form shows the filters it applied.
    expect(await page.getByLabel('类型', { exact: true }).inputValue()).toBe('report')
    expect(await textsOf(page, '#cases-results')).toEqual([
      expect.stringMatching(/^符合条件的案件共 \d+ 件$/),
    ])
    expect(problems).toEqual([])
  })
})

describe('a case from received through completion', () => {
  test('a handler searches, accepts and completes it; the citizen then reads the reply', async () => {
    const { page, problems } = await watchedPage(session.withJs)
    await page.goto('/admin/cases')
    await page.getByLabel('全文搜索').fill(merchant)
    await page.getByRole('button', { name: '筛选', exact: true }).click()
    await page.waitForURL((url) => url.searchParams.get('q') === merchant)
    expect(await rowNumbers(page)).toEqual([filed.trackingNo])

    await page.getByRole('link', { name: filed.trackingNo }).click()
    await page.waitForURL((url) => url.pathname.startsWith('/admin/cases/'))
    expect(await textsOf(page, '#case-status')).toEqual(['已接收'])
    // Personal data is masked until an explicit reveal.
    expect(await textsOf(page, '#case-contact-name')).toEqual(['林**'])
    expect(await textsOf(page, '#case-contact-phone')).toEqual(['138****1234'])
    expect(await page.content()).not.toContain('13857801234')

    await page.getByRole('button', { name: '受理', exact: true }).click()
    await page.waitForURL((url) => url.searchParams.get('done') === 'accept')
    expect(await textsOf(page, '#case-status')).toEqual(['已受理'])
    expect(await textsOf(page, '#case-done')).toEqual(['已完成“受理”。'])

    const reply = `经调解，商户已退还差价并当面致歉（${tag}）。`
    await page.getByLabel('办理结果（内部存档）').fill(`调解成功，电子秤送检（内部 ${tag}）。`)
    await page.getByLabel('给投诉举报人的答复（公开）').fill(reply)
    await page.getByLabel('核查认定', { exact: true }).selectOption('substantiated')
    await page.getByLabel('后续处理', { exact: true }).selectOption('mediated')
    await page.getByRole('button', { name: '办结', exact: true }).click()
    await page.waitForURL((url) => url.searchParams.get('done') === 'complete')
    expect(await textsOf(page, '#case-status')).toEqual(['已办结'])
    const timeline = (await textsOf(page, '#case-timeline'))[0] ?? ''
    expect(timeline).toContain(reply)
    expect(problems).toEqual([])

    // The citizen's tracking page, in a browser context without the console's cookie.
    const citizen = await session.browser.newContext({ baseURL: session.baseUrl, locale: 'zh-CN' })
    try {
      const { page: track, problems: trackProblems } = await watchedPage(citizen)
      await track.goto(`/complaints/track?trackingNo=${filed.trackingNo}`)
      await track.getByLabel('查询码').fill(filed.queryCode)
      await track.getByRole('button', { name: '查询' }).click()
      await track.waitForSelector('#complaint-timeline')
      expect(await textsOf(track, '#complaint-status')).toEqual(['已办结'])
      const entries = await textsOf(track, '#complaint-timeline > li')
      expect(entries).toHaveLength(3)
      expect(entries[1]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} 已受理/)
      expect(entries[2]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2} 已办结/)
      expect(entries[2]).toContain(reply)
      expect(entries.join('\n')).not.toContain(`内部 ${tag}`)
      expect(trackProblems).toEqual([])
    } finally {
      await citizen.close()
    }
  })
})

describe('two handlers on one case page', () => {
  test('the later one is told the case changed and sees the fresh case (JavaScript off)', async () => {
    const late = await fileComplaint({
      kind: 'complaint',
      merchantName: `丽阳菜场${tag}号摊（二）`,
      name: '周明',
      phone: '13857805678',
    })
    const found = await db
      .selectFrom('complaints')
      .select('id')
      .where('trackingNo', '=', late.trackingNo)
      .executeTakeFirstOrThrow()
    const first = await watchedPage(session.withoutJs)
    const second = await watchedPage(session.withoutJs)
    await first.page.goto(`/admin/cases/${found.id}`)
    await second.page.goto(`/admin/cases/${found.id}`)

    await first.page.getByRole('button', { name: '受理', exact: true }).click()
    await first.page.waitForURL((url) => url.searchParams.get('done') === 'accept')

    await openAction(second.page, '不予受理')
    await second.page.getByLabel('不予受理理由').selectOption({ label: '重复投诉' })
    await second.page.getByLabel('说明（公开）').fill('与另一件投诉重复。')
    const answer = second.page.waitForResponse((r) => r.request().method() === 'POST')
    await second.page.getByRole('button', { name: '不予受理', exact: true }).click()
    expect((await answer).status()).toBe(409)
    await second.page.waitForLoadState()
    expect(await textsOf(second.page, '#case-refusal')).toEqual([
      expect.stringContaining('该案件已被他人更新，请刷新后查看最新内容再操作。'),
    ])
    expect(await second.page.locator('#case-refusal').getAttribute('role')).toBe('alert')
    expect(await textsOf(second.page, '#case-status')).toEqual(['已受理'])
    expect(await second.page.getByRole('button', { name: '不予受理', exact: true }).count()).toBe(0)
    expect(first.problems).toEqual([])
    expect(second.problems.filter((p) => !p.includes('409'))).toEqual([])
  })
})

describe('a resident’s request to correct their phone', () => {
  test('a handler enters the new number, which is shown masked (JavaScript off)', async () => {
    const { id } = await db
      .selectFrom('complaints')
      .select('id')
      .where('trackingNo', '=', filed.trackingNo)
      .executeTakeFirstOrThrow()
    const { page, problems } = await watchedPage(session.withoutJs)
    await page.goto(`/admin/cases/${id}`)
    expect(await textsOf(page, '#case-contact-phone')).toEqual(['138****1234'])

    await openAction(page, '更正联系方式')
    await page.getByLabel('更正后的电话（不改则留空）').fill('13857809999')
    await page.getByLabel('更正申请情况（内部）').fill('本人来电，核对受理编号后申请更正。')
    await page.getByRole('button', { name: '更正联系方式', exact: true }).click()
    await page.waitForURL((url) => url.searchParams.get('done') === 'correct_contact')
    expect(await textsOf(page, '#case-done')).toEqual(['已完成“更正联系方式”。'])
    expect(await textsOf(page, '#case-contact-phone')).toEqual(['138****9999'])
    expect(await page.content()).not.toContain('13857809999')
    expect(problems).toEqual([])
  })
})

describe('a resident’s request to delete their personal data', () => {
  test('a city administrator deletes it from the ended case, with JavaScript off', async () => {
    // The case completed above: 办结, so its personal data may now go.
    const { token } = await operatorSession(db, 'city_admin', null, `e2eadmin${tag}`)
    const context = await session.browser.newContext({
      baseURL: session.baseUrl,
      locale: 'zh-CN',
      javaScriptEnabled: false,
    })
    await context.addCookies([{ name: sessionCookieName, value: token, url: session.baseUrl }])
    try {
      const { id } = await db
        .selectFrom('complaints')
        .select('id')
        .where('trackingNo', '=', filed.trackingNo)
        .executeTakeFirstOrThrow()
      const { page, problems } = await watchedPage(context)
      await page.goto(`/admin/cases/${id}`)
      expect(await textsOf(page, '#case-contact-name')).toEqual(['林**'])

      // Held first (a reconsideration): no deletion is offered until the hold is lifted.
      await openAction(page, '暂缓删除个人信息')
      await page
        .getByLabel('暂缓原因（内部）', { exact: true })
        .fill('行政复议 丽市监复〔2027〕3号，复议期间保留案卷。')
      await page.getByRole('button', { name: '暂缓删除个人信息', exact: true }).click()
      await page.waitForURL((url) => url.searchParams.get('done') === 'hold_erasure')
      expect(await textsOf(page, '#case-contact-held')).toEqual([
        expect.stringContaining('暂缓删除个人信息，原因：行政复议 丽市监复〔2027〕3号') as string,
      ])
      expect(await page.getByRole('button', { name: '删除个人信息', exact: true }).count()).toBe(0)
      await openAction(page, '解除暂缓删除')
      await page
        .getByLabel('解除原因（内部）', { exact: true })
        .fill('复议决定已送达，维持原处理。')
      await page.getByRole('button', { name: '解除暂缓删除', exact: true }).click()
      await page.waitForURL((url) => url.searchParams.get('done') === 'lift_erasure_hold')
      expect(await page.locator('#case-contact-held').count()).toBe(0)

      await openAction(page, '删除个人信息')
      await page
        .getByLabel('申请情况（内部）', { exact: true })
        .fill('12345 工单 LS-0001：本人来电申请，已核对身份证件。')
      await page.getByRole('button', { name: '删除个人信息', exact: true }).click()
      await page.waitForURL((url) => url.searchParams.get('done') === 'erase_personal_data')
      expect(await textsOf(page, '#case-done')).toEqual(['已完成“删除个人信息”。'])
      expect(await textsOf(page, '#case-contact-erased')).toEqual([
        expect.stringContaining('应投诉举报人本人申请'),
      ])
      expect(await textsOf(page, '#case-contact-erased-hint')).toEqual([
        expect.stringContaining('电话号码和身份证号码会自动隐去'),
      ])
      expect(await page.locator('#case-contact-name').count()).toBe(0)
      expect(await page.getByRole('button', { name: '查看完整姓名和电话' }).count()).toBe(0)
      expect(await page.getByRole('button', { name: '删除个人信息', exact: true }).count()).toBe(0)
      expect(await page.content()).not.toContain('林**')
      expect(problems).toEqual([])
    } finally {
      await context.close()
    }
  })
})
