import { randomUUID } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { createDb, type Db } from '../../db/client.ts'
import { openSession, textsOf, watchedPage, type Session } from '../support/browser.ts'
import { exifTiff, jpeg } from '../unit/photos-fixtures.ts'

let session: Session
let db: Db
let photoDir: string
let photoPath: string
beforeAll(async () => {
  session = await openSession()
  // Read only, to check what the pages stored: the browser cannot see that one click filed one.
  db = createDb({ connectionString: inject('siteDatabaseUrl'), max: 1 })
  photoDir = await mkdtemp(path.join(os.tmpdir(), 'complaint-photo-'))
  photoPath = path.join(photoDir, '秤.jpg')
  // A JPEG whose Exif block places it in Lishui: the server strips that on upload.
  await writeFile(photoPath, jpeg({ exif: exifTiff() }).bytes)
})
afterAll(async () => {
  await session.close()
  await db.destroy()
  await rm(photoDir, { recursive: true, force: true })
})

/**
 * The problems a watched page recorded, less the error status a test asked for on purpose (the
 * watcher sees it twice: as the response and as Chromium's console line about it).
 */
function besides(problems: string[], status: number, pathname: string): string[] {
  const url = `${session.baseUrl}${pathname}`
  const expected = [`HTTP ${status} for ${url}`]
  expect(problems).toContain(expected[0])
  return problems.filter(
    (p) =>
      !expected.includes(p) &&
      !(p.startsWith(`console error on ${url}:`) && p.includes(`status of ${status}`)),
  )
}

/** The complaints stored with this description, with how many photos each has. */
async function storedWith(description: string) {
  return db
    .selectFrom('complaints as c')
    .leftJoin('complaintPhotos as p', 'p.complaintId', 'c.id')
    .select(['c.trackingNo', (eb) => eb.fn.count<string>('p.id').as('photos')])
    .where('c.description', '=', description)
    .groupBy('c.trackingNo')
    .execute()
}

const trackingNoPattern = /^JL\d{8}-\d{4}-\d{4}$/
const queryCodePattern = /^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/

/** Yesterday at this time, as a datetime-local field holds it (Shanghai time). */
const yesterday = () =>
  new Date(Date.now() - 24 * 3600_000 + 8 * 3600_000).toISOString().slice(0, 16)

/** A unique description, so each test can tell its own complaint from any other. */
const uniqueDescription = () =>
  `买了一斤猪肉，回家用公平秤复秤只有八两，少了二两。（测试 ${randomUUID().slice(0, 8)}）`

/** Everything a 投诉 needs except the phone, plus the short-weight figures and a photo. */
async function fillComplaint(page: Page, description: string, photo: string) {
  await page.getByLabel('投诉', { exact: true }).check()
  await page.getByLabel('问题类别').selectOption({ label: '缺斤短两' })
  await page.getByLabel('事发区县').selectOption({ label: '莲都区' })
  await page.getByLabel('商户或单位名称').fill('城东菜场 12 号摊位')
  await page.getByLabel('事发地址').fill('莲都区城东菜场 12 号摊位')
  await page.getByLabel('发生时间').fill(yesterday())
  await page.getByLabel('事情经过').fill(description)
  await page.getByLabel('姓名（投诉必填）').fill('王小明')
  await page.getByLabel('商户标称的数量').fill('1')
  await page.getByLabel('您复秤的实际数量').fill('0.8')
  await page.getByLabel('计量单位', { exact: true }).selectOption({ label: '斤' })
  await page.getByLabel(/^单价/).fill('18')
  await page.getByLabel('照片（选填）').setInputFiles(photo)
  await page.getByLabel('我已阅读并同意《个人信息保护说明》').check()
}

/** Submits and waits for the answer to the form's post. */
async function submit(page: Page) {
  const answer = page.waitForResponse(
    (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/complaints/submit',
  )
  await page.getByRole('button', { name: '提交' }).click()
  const response = await answer
  await page.waitForLoadState()
  return response
}

/** Whether the complaint's resident asked for SMS (issue 25). */
async function smsChoiceOf(trackingNo: string) {
  const row = await db
    .selectFrom('complaints')
    .select('smsUpdates')
    .where('trackingNo', '=', trackingNo)
    .executeTakeFirstOrThrow()
  return row.smsUpdates
}

async function readReceipt(page: Page) {
  await page.waitForURL((url) => url.pathname.startsWith('/complaints/receipt/'))
  const trackingNos = await textsOf(page, '#receipt-tracking-no')
  const codes = await textsOf(page, '#receipt-query-code')
  expect(trackingNos).toHaveLength(1)
  expect(codes).toHaveLength(1)
  const trackingNo = trackingNos[0]!
  const queryCode = codes[0]!
  expect(trackingNo).toMatch(trackingNoPattern)
  expect(queryCode).toMatch(queryCodePattern)
  expect(new URL(page.url()).pathname).toBe(`/complaints/receipt/${trackingNo}`)
  return { trackingNo, queryCode }
}

describe('filing a complaint with JavaScript off', () => {
  test('a resident corrects two mistakes, gets a receipt, and tracks the complaint', async () => {
    const { page, problems } = await watchedPage(session.withoutJs)
    const description = uniqueDescription()
    const first = await page.goto('/complaints/submit')
    expect(first?.status()).toBe(200)
    expect(await page.locator('h1').count()).toBe(1)
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN')
    // The honeypot is there for robots only: out of sight and out of the accessibility tree.
    const honeypot = page.locator('#complaint-website')
    const box = await honeypot.boundingBox()
    expect(box!.x + box!.width).toBeLessThanOrEqual(0)
    expect(await honeypot.getAttribute('tabindex')).toBe('-1')
    expect(await page.locator('.hp-field').getAttribute('aria-hidden')).toBe('true')
    // Served on demand, the form carries its submission token even without JavaScript.
    expect(await page.locator('input[name="idempotencyToken"]').inputValue()).toMatch(
      /^[0-9a-f-]{36}$/,
    )

    await fillComplaint(page, description, photoPath)
    await page.getByLabel('统一社会信用代码（选填）').fill('9133110212345')
    const refused = await submit(page)
    expect(refused.status()).toBe(422)

    // Both problems, in Chinese, in the summary (linking to the field) and beside each field.
    const summary = page.locator('#error-summary')
    expect(await summary.getAttribute('role')).toBe('alert')
    expect(await page.locator('#error-summary:focus').count()).toBe(1)
    expect(await textsOf(page, '#error-summary h2')).toEqual(['有 2 处需要修改'])
    expect(
      await summary.locator('a').evaluateAll((links) => links.map((a) => a.getAttribute('href'))),
    ).toEqual(['#complaint-merchantUscc', '#complaint-phone', '#complaint-photos'])
    const phoneError = '投诉需要留下电话，以便调解时联系您；不愿留名请选择“举报”。'
    const usccError = '统一社会信用代码应为 18 位，实际 13 位；不清楚可以不填。'
    // "错误：" is for screen readers: the red bar and the words carry it on screen.
    expect(await textsOf(page, '#complaint-phone-error')).toEqual([
      expect.stringMatching(new RegExp(`^错误：\\s*${phoneError}$`)),
    ])
    expect(await textsOf(page, '#complaint-merchantUscc-error')).toEqual([
      expect.stringMatching(new RegExp(`^错误：\\s*${usccError}$`)),
    ])
    const summaryText = (await textsOf(page, '#error-summary'))[0] ?? ''
    expect(summaryText).toContain(`电话：${phoneError}`)
    expect(summaryText).toContain(`统一社会信用代码：${usccError}`)
    expect(summaryText).toContain('照片需要重新选择')
    const phone = page.getByLabel('电话（投诉必填）')
    expect(await phone.getAttribute('aria-invalid')).toBe('true')
    expect(await phone.getAttribute('aria-describedby')).toContain('complaint-phone-error')

    // Everything typed is still there, except the photo, which must be chosen again.
    expect(await page.getByLabel('投诉', { exact: true }).isChecked()).toBe(true)
    expect(await page.getByLabel('问题类别').inputValue()).toBe('short_weight')
    expect(await page.getByLabel('事发区县').inputValue()).toBe('331102')
    expect(await page.getByLabel('商户或单位名称').inputValue()).toBe('城东菜场 12 号摊位')
    expect(await page.getByLabel('统一社会信用代码（选填）').inputValue()).toBe('9133110212345')
    expect(await page.getByLabel('事情经过').inputValue()).toBe(description)
    expect(await page.getByLabel('姓名（投诉必填）').inputValue()).toBe('王小明')
    expect(await page.getByLabel('您复秤的实际数量').inputValue()).toBe('0.8')
    expect(await page.getByLabel('计量单位', { exact: true }).inputValue()).toBe('jin')
    expect(await page.getByLabel('我已阅读并同意《个人信息保护说明》').isChecked()).toBe(true)
    expect(await textsOf(page, '#complaint-photos-again')).toEqual([
      expect.stringContaining('照片需要重新选择'),
    ])
    expect(await page.getByLabel('照片（选填）').inputValue()).toBe('')

    await phone.fill('13912345678')
    // 办理进展短信: chosen unless the resident says no; this one says no.
    expect(await page.getByLabel('接收（需留手机号）').isChecked()).toBe(true)
    await page.getByLabel('不接收').check()
    await page.getByLabel('统一社会信用代码（选填）').fill('')
    await page.getByLabel('照片（选填）').setInputFiles(photoPath)
    const filed = await submit(page)
    expect(filed.status()).toBe(303)
    const { trackingNo, queryCode } = await readReceipt(page)
    expect(await storedWith(description)).toEqual([{ trackingNo, photos: '1' }])
    expect(await smsChoiceOf(trackingNo)).toBe(false)
    const receiptText = (await textsOf(page, 'main'))[0] ?? ''
    expect(receiptText).toContain('已接收')
    expect(receiptText).toMatch(/市场监管部门将在 \d{4}-\d{2}-\d{2} 前作出是否受理的决定/)
    expect(receiptText).toContain('截图保存')
    // No personal data on the receipt.
    expect(receiptText).not.toContain('王小明')
    expect(receiptText).not.toContain('13912345678')

    // On to the tracking page: the number is filled in, the code is typed.
    await page.getByRole('link', { name: '查询办理进度' }).last().click()
    await page.waitForURL((url) => url.pathname === '/complaints/track')
    expect(await page.getByLabel('受理编号').inputValue()).toBe(trackingNo)
    // Typed again as it is read out over the phone: lower case, spaces for the dashes.
    await page.getByLabel('受理编号').fill(trackingNo.toLowerCase().replaceAll('-', ' '))
    await page.getByLabel('查询码').fill(queryCode)
    const tracked = page.waitForResponse((r) => r.request().method() === 'POST')
    await page.getByRole('button', { name: '查询' }).click()
    expect((await tracked).status()).toBe(200)
    await page.waitForLoadState()
    expect(new URL(page.url()).search).toBe('')
    expect(await textsOf(page, '#complaint-status')).toEqual(['已接收'])
    const entries = page.locator('#complaint-timeline > li')
    expect(await entries.count()).toBe(1)
    expect((await entries.allInnerTexts())[0]).toContain('已收到您的投诉')
    expect(await entries.locator('time').getAttribute('datetime')).toMatch(
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$/,
    )
    const trackText = (await textsOf(page, 'main'))[0] ?? ''
    expect(trackText).not.toContain('王小明')
    expect(trackText).not.toContain('13912345678')

    expect(besides(problems, 422, '/complaints/submit')).toEqual([])
  })

  test('the receipt and tracking pages are never cached, and the receipt without its cookie hides the code', async () => {
    const { page, problems } = await watchedPage(session.withoutJs)
    const receipt = await page.goto('/complaints/receipt/JL20261126-00001')
    expect(receipt?.status()).toBe(200)
    expect(receipt?.headers()['cache-control']).toBe('no-store')
    expect(await textsOf(page, '#receipt-tracking-no')).toEqual(['JL20261126-00001'])
    expect(await page.locator('#receipt-query-code').count()).toBe(0)
    expect((await textsOf(page, 'main'))[0]).toContain('查询码只在提交后立即显示一次')

    const track = await page.goto('/complaints/track')
    expect(track?.headers()['cache-control']).toBe('no-store')
    // The form on one page, opened by address, is the blank form.
    await page.goto('/complaints/submit')
    expect(new URL(page.url()).pathname).toBe('/complaints/submit')
    expect(await page.getByLabel('事情经过').inputValue()).toBe('')
    expect(problems).toEqual([])
  })

  test('a form too large to read is refused with 413 and says, in the form, how to fix it', async () => {
    // 17 MB of photos, over the 16 MB a complaint may be: refused from its declared length,
    // before any of it is read, and shown as the form again with the reason at its top.
    const form = new FormData()
    form.set('kind', 'complaint')
    form.set(
      'photos',
      new Blob([new Uint8Array(17 * 1024 * 1024)], { type: 'image/jpeg' }),
      'a.jpg',
    )
    const res = await fetch(`${session.baseUrl}/complaints/submit`, {
      method: 'POST',
      headers: { origin: session.baseUrl },
      body: form,
    })
    expect(res.status).toBe(413)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const html = await res.text()
    const summary = /<div[^>]*id="error-summary"[^>]*role="alert"[\s\S]*?<\/div>/.exec(html)?.[0]
    expect(summary).toContain('未能提交')
    expect(summary).toContain('提交的内容过大：最多 3 张照片，每张不超过 5 MB。请压缩照片后重试。')
    expect(html).toContain('id="complaint-form"')
  })
})

describe('filing a complaint with JavaScript on', () => {
  test('shortfall, a directory business, and a double click that files exactly one complaint', async () => {
    const { page, problems } = await watchedPage(session.withJs)
    const description = uniqueDescription()
    await page.goto('/complaints/submit')
    const token = page.locator('input[name="idempotencyToken"]')
    expect(await token.inputValue()).toMatch(/^[0-9a-f-]{36}$/)

    await fillComplaint(page, description, photoPath)
    await page
      .locator('#complaint-shortfall', { hasText: '少了 0.2 斤，折合 ¥3.60' })
      .waitFor({ timeout: 5_000 })
    expect(await page.locator('#complaint-shortfall').getAttribute('aria-live')).toBe('polite')

    // A business from the directory, picked from the suggestions with the keyboard.
    const lookup = await page.request.get(
      `/api/enterprises?q=${encodeURIComponent('万象菜场')}&pageSize=5`,
    )
    const business = ((await lookup.json()) as { items: { uscc: string; name: string }[] })
      .items[0]!
    expect(business.name).toBe('莲都区万象菜场')
    const merchant = page.getByRole('combobox', { name: '商户或单位名称' })
    await merchant.fill('')
    await merchant.pressSequentially('万象菜场', { delay: 20 })
    const option = page.getByRole('option', { name: new RegExp(business.name) })
    await option.waitFor({ timeout: 10_000 })
    expect(await merchant.getAttribute('aria-expanded')).toBe('true')
    await merchant.press('ArrowDown')
    expect(await merchant.getAttribute('aria-activedescendant')).toBe('merchant-option-0')
    expect(await option.getAttribute('aria-selected')).toBe('true')
    await merchant.press('Enter')
    expect(await merchant.getAttribute('aria-expanded')).toBe('false')
    expect(await merchant.inputValue()).toBe(business.name)
    expect(await page.getByLabel('统一社会信用代码（选填）').inputValue()).toBe(business.uscc)
    expect(await textsOf(page, '#merchant-linked')).toEqual([
      `已关联诚信计量单位：${business.name}（${business.uscc}）`,
    ])
    // Enter picked the business; it did not submit the form.
    expect(new URL(page.url()).pathname).toBe('/complaints/submit')

    // Missing phone: the server's answer; the summary's link takes the keyboard to the field.
    expect((await submit(page)).status()).toBe(422)
    await page.locator('#error-summary a[href="#complaint-phone"]').click()
    expect(await page.locator('#complaint-phone:focus').count()).toBe(1)
    expect(await token.inputValue()).toMatch(/^[0-9a-f-]{36}$/)

    await page.keyboard.type('13712345678')
    await page.getByLabel('照片（选填）').setInputFiles(photoPath)
    const posts: string[] = []
    page.on('request', (request) => {
      if (request.method() === 'POST') posts.push(new URL(request.url()).pathname)
    })
    // The post is held a moment on its way to the real server, as on a slow mobile network, so
    // that the clicks land while the first submission is still under way.
    await page.route('**/complaints/submit', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1_000))
      await route.continue()
    })
    const answer = page.waitForResponse(
      (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/complaints/submit',
    )
    const button = page.locator('#complaint-submit')
    await button.scrollIntoViewIfNeeded()
    const box = (await button.boundingBox())!
    const sent = page.waitForRequest((r) => r.method() === 'POST')
    await button.dblclick()
    // And, once the post is on its way, an impatient third click (by position: the page is busy
    // leaving, so no locator is used). Without the script the browser would post again here.
    await sent
    await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2)
    expect((await answer).status()).toBe(303)
    const { trackingNo, queryCode } = await readReceipt(page)
    expect(posts).toEqual(['/complaints/submit'])
    expect(await storedWith(description)).toEqual([{ trackingNo, photos: '1' }])
    // Left as it was: the resident is told by SMS.
    expect(await smsChoiceOf(trackingNo)).toBe(true)

    const api = await page.request.get(`/api/complaints/${trackingNo}`, {
      headers: { 'X-Query-Code': queryCode },
    })
    expect(api.status()).toBe(200)
    const view = (await api.json()) as { trackingNo: string; kind: string; status: string }
    expect(view).toMatchObject({ trackingNo, kind: 'complaint', status: 'received' })

    expect(besides(problems, 422, '/complaints/submit')).toEqual([])
  })
})

describe('filing a complaint about a listed business', () => {
  /** A business no other browser test changes: the last active one of 缙云县 by name. */
  const untouchedBusiness = () =>
    db
      .selectFrom('enterprises')
      .select(['uscc', 'name', 'countyCode', 'address'])
      .where('status', '=', 'active')
      .where('countyCode', '=', '331122')
      .orderBy('name', 'desc')
      .executeTakeFirstOrThrow()

  test('a link made for the one-page form fills in the business’s name, code, county and address, without JavaScript', async () => {
    const business = await untouchedBusiness()
    const { page, problems } = await watchedPage(session.withoutJs)
    // Business pages now start the steps; links to the one-page form made before still work.
    await page.goto(`/complaints/submit?business=${business.uscc}`)
    expect(await page.getByLabel('商户或单位名称').inputValue()).toBe(business.name)
    expect(await page.getByLabel('统一社会信用代码（选填）').inputValue()).toBe(business.uscc)
    expect(await page.getByLabel('事发区县').inputValue()).toBe(business.countyCode)
    expect(await page.getByLabel('事发地址').inputValue()).toBe(business.address)
    expect(await page.locator('#complaint-token').inputValue()).not.toBe('')
    expect(await textsOf(page, '#merchant-linked')).toEqual([
      `已关联诚信计量单位：${business.name}（${business.uscc}）`,
    ])

    // Sent without its account first: the form shown again still names the business as linked.
    const description = uniqueDescription()
    await page.getByLabel('举报', { exact: true }).check()
    await page.getByLabel('问题类别').selectOption({ label: '缺斤短两' })
    await page.getByLabel('发生时间').fill(yesterday())
    await page.getByLabel('我已阅读并同意《个人信息保护说明》').check()
    expect((await submit(page)).status()).toBe(422)
    expect(await page.getByLabel('商户或单位名称').inputValue()).toBe(business.name)
    expect(await textsOf(page, '#merchant-linked')).toEqual([
      `已关联诚信计量单位：${business.name}（${business.uscc}）`,
    ])
    await page.getByLabel('事情经过').fill(description)
    await page.getByLabel('我已阅读并同意《个人信息保护说明》').check()
    expect((await submit(page)).status()).toBe(303)
    const { trackingNo } = await readReceipt(page)
    const stored = await db
      .selectFrom('complaints')
      .select(['trackingNo', 'merchantUscc', 'enterpriseUscc', 'countyCode'])
      .where('description', '=', description)
      .execute()
    expect(stored).toEqual([
      {
        trackingNo,
        merchantUscc: business.uscc,
        enterpriseUscc: business.uscc,
        countyCode: business.countyCode,
      },
    ])

    expect(besides(problems, 422, '/complaints/submit')).toEqual([])
  })

  test('a link naming a business not on the list says so above the form; one naming none opens the blank form', async () => {
    const { page, problems } = await watchedPage(session.withoutJs)
    const unlisted = '91331100MA2A00000Y'
    await page.goto(`/complaints/submit?business=${unlisted}`)
    expect(await textsOf(page, '#complaint-info')).toEqual([
      `代码为 ${unlisted} 的单位不在丽水市诚信计量单位名单上，无法带出单位信息。请在下面填写被投诉单位的名称和地址。`,
    ])
    expect(await page.getByLabel('商户或单位名称').inputValue()).toBe('')
    expect(await page.getByLabel('统一社会信用代码（选填）').inputValue()).toBe(unlisted)
    expect(await textsOf(page, '#merchant-linked')).toEqual([''])

    await page.goto('/complaints/submit?business=9133')
    expect(await textsOf(page, '#complaint-info')).toEqual([
      '链接中的统一社会信用代码有误：应为 18 位，实际 4 位。无法带出单位信息，请在下面填写被投诉单位的名称和地址。',
    ])
    expect(await page.getByLabel('统一社会信用代码（选填）').inputValue()).toBe('')

    await page.goto('/complaints/submit')
    expect(new URL(page.url()).pathname).toBe('/complaints/submit')
    expect(await page.locator('#complaint-info').count()).toBe(0)
    expect(problems).toEqual([])
  })

  test('with JavaScript on, naming another shop unlinks the business the form was opened for', async () => {
    const business = await untouchedBusiness()
    const { page, problems } = await watchedPage(session.withJs)
    await page.goto(`/complaints/submit?business=${business.uscc}`)
    const merchant = page.getByLabel('商户或单位名称')
    const code = page.getByLabel('统一社会信用代码（选填）')
    expect(await code.inputValue()).toBe(business.uscc)
    expect(await textsOf(page, '#merchant-linked')).toEqual([
      `已关联诚信计量单位：${business.name}（${business.uscc}）`,
    ])
    await merchant.fill('隔壁的水果摊')
    expect(await code.inputValue()).toBe('')
    expect(await textsOf(page, '#merchant-linked')).toEqual([''])
    expect(problems).toEqual([])
  })
})

describe('tracking a complaint', () => {
  test('a wrong code and an unknown number get the same not-found answer', async () => {
    const { page, problems } = await watchedPage(session.withoutJs)
    // An anonymous 举报, filed through the form.
    await page.goto('/complaints/submit')
    await page.getByLabel('举报', { exact: true }).check()
    await page.getByLabel('问题类别').selectOption({ label: '计量器具作弊' })
    await page.getByLabel('事发区县').selectOption({ label: '青田县' })
    await page.getByLabel('商户或单位名称').fill('青田县某水果摊')
    await page.getByLabel('事发地址').fill('青田县鹤城街道水果市场')
    await page.getByLabel('发生时间').fill(yesterday())
    await page.getByLabel('事情经过').fill(uniqueDescription())
    await page.getByLabel('我已阅读并同意《个人信息保护说明》').check()
    expect((await submit(page)).status()).toBe(303)
    const { trackingNo } = await readReceipt(page)
    expect((await textsOf(page, 'h1'))[0]).toBe('已收到您的举报')
    expect((await textsOf(page, 'main'))[0]).toContain('完成核查并作出是否立案的决定')

    const notFound = '没有找到与这个受理编号和查询码对应的记录。'
    const answers: string[] = []
    for (const number of [trackingNo, 'JL20200101-99999']) {
      await page.goto('/complaints/track')
      await page.getByLabel('受理编号').fill(number)
      await page.getByLabel('查询码').fill('AAAA-AAAA')
      const answer = page.waitForResponse((r) => r.request().method() === 'POST')
      await page.getByRole('button', { name: '查询' }).click()
      expect((await answer).status()).toBe(404)
      await page.waitForLoadState()
      const text = (await textsOf(page, '#track-refused'))[0] ?? ''
      expect(text).toContain(notFound)
      answers.push(text)
      expect(await page.locator('#complaint-status').count()).toBe(0)
      // The code is not echoed back into the page.
      expect(await page.getByLabel('查询码').inputValue()).toBe('')
    }
    expect(answers[0]).toBe(answers[1])
    expect(besides(problems, 404, '/complaints/track')).toEqual([])
  })
})

/** "K7QM-3XPA" as a Chinese input method types it: ｋ７ｑｍ３ｘｐａ (full-width, no hyphen). */
const fullWidthLower = (printed: string) =>
  Array.from(printed.replaceAll('-', '').toLowerCase(), (ch) =>
    String.fromCharCode(ch.charCodeAt(0) + 0xfee0),
  ).join('')

describe('tracking as residents type', () => {
  test('the receipt link fills the number in, and a full-width, lower-case, hyphen-less code finds the case with JavaScript off', async () => {
    const filed = await fetch(new URL('/api/complaints', session.baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.93' },
      body: JSON.stringify({
        kind: 'report',
        category: 'short_weight',
        county: '331102',
        merchantName: '全角查询测试摊位',
        address: '莲都区城西菜场 5 号',
        occurredAt: '2026-11-20T09:30',
        description: uniqueDescription(),
        consent: true,
      }),
    })
    expect(filed.status).toBe(201)
    const { trackingNo, queryCode } = (await filed.json()) as {
      trackingNo: string
      queryCode: string
    }
    const { page, problems } = await watchedPage(session.withoutJs)
    // The receipt's link carries the number, and only the number.
    await page.goto(`/complaints/receipt/${trackingNo}`)
    await page.getByRole('link', { name: '查询办理进度' }).click()
    await page.waitForURL((url) => url.pathname === '/complaints/track')
    const linked = new URL(page.url())
    expect(linked.searchParams.get('no')).toBe(trackingNo)
    expect([...linked.searchParams.keys()]).toEqual(['no'])
    expect(await page.getByLabel('受理编号').inputValue()).toBe(trackingNo)
    // The query code is the one thing left to type: the cursor waits in its field.
    expect(await page.getByLabel('查询码').getAttribute('autofocus')).not.toBeNull()

    // Both typed with a Chinese input method: full-width, lower case, no hyphens.
    await page.getByLabel('受理编号').fill(fullWidthLower(trackingNo))
    await page.getByLabel('查询码').fill(fullWidthLower(queryCode))
    const tracked = page.waitForResponse((r) => r.request().method() === 'POST')
    await page.getByRole('button', { name: '查询' }).click()
    expect((await tracked).status()).toBe(200)
    await page.waitForLoadState()
    expect(new URL(page.url()).search).toBe('')
    expect(await textsOf(page, '#track-result-title')).toEqual([`受理编号 ${trackingNo}`])
    expect(await textsOf(page, '#complaint-status')).toEqual(['已接收'])
    expect(page.url()).not.toContain(queryCode)
    expect(problems).toEqual([])
  })

  test('the API finds the case from a full-width, lower-case, hyphen-less number and code', async () => {
    const filed = await fetch(new URL('/api/complaints', session.baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.94' },
      body: JSON.stringify({
        kind: 'report',
        category: 'short_weight',
        county: '331102',
        merchantName: '全角接口测试摊位',
        address: '莲都区城西菜场 6 号',
        occurredAt: '2026-11-20T09:30',
        description: uniqueDescription(),
        consent: true,
      }),
    })
    const { trackingNo, queryCode } = (await filed.json()) as {
      trackingNo: string
      queryCode: string
    }
    const res = await fetch(new URL('/api/complaints/lookup', session.baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.94' },
      body: JSON.stringify({
        trackingNo: fullWidthLower(trackingNo),
        queryCode: fullWidthLower(queryCode),
      }),
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('no-store')
    expect(((await res.json()) as { trackingNo: string }).trackingNo).toBe(trackingNo)
  })
})

describe('the privacy notice', () => {
  test('opens from the form and says what is kept, for how long, who sees it and whom to call', async () => {
    const { page, problems } = await watchedPage(session.withoutJs)
    await page.goto('/complaints/submit')
    const opened = session.withoutJs.waitForEvent('page')
    await page.getByRole('link', { name: /个人信息保护说明/ }).click()
    const notice = await opened
    await notice.waitForLoadState()
    expect(new URL(notice.url()).pathname).toBe('/complaints/privacy')
    expect(await textsOf(notice, 'h1')).toEqual(['个人信息保护说明'])
    const text = (await textsOf(notice, 'main'))[0] ?? ''
    for (const words of [
      '姓名和电话',
      '满 3 年后，系统自动删除您的姓名、电话',
      '举报人的身份绝不告知被举报的商户',
      '12345',
    ]) {
      expect(text).toContain(words)
    }
    await notice.close()
    // Watched directly too, for console errors and CSP violations on the notice itself.
    expect((await page.goto('/complaints/privacy'))?.status()).toBe(200)
    expect(problems).toEqual([])
  })
})
