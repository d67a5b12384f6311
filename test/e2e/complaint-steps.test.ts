import { randomUUID } from 'node:crypto'
import AxeBuilder from '@axe-core/playwright'
import type { BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { createDb, type Db } from '../../db/client.ts'
import { openSession, textsOf, watchedPage, type Session } from '../support/browser.ts'
import { jpeg } from '../unit/photos-fixtures.ts'

/**
 * The complaint in short steps (issue 23): 发生了什么, 在哪里, 关于您, 照片, then 核对您的信息 and
 * the receipt, each step a real form post that works without JavaScript.
 */

let session: Session
let db: Db
beforeAll(async () => {
  session = await openSession()
  db = createDb({ connectionString: inject('siteDatabaseUrl'), max: 1 })
})
afterAll(async () => {
  await session.close()
  await db.destroy()
})

/** Yesterday at this time, as a datetime-local field holds it (Shanghai time). */
const yesterday = () =>
  new Date(Date.now() - 24 * 3600_000 + 8 * 3600_000).toISOString().slice(0, 16)

const uniqueDescription = () =>
  `买了一斤猪肉，回家用公平秤复秤只有八两，少了二两。（分步 ${randomUUID().slice(0, 8)}）`

/** The complaints stored with this description, with their address and photo count. */
async function storedWith(description: string) {
  return db
    .selectFrom('complaints as c')
    .leftJoin('complaintPhotos as p', 'p.complaintId', 'c.id')
    .select(['c.trackingNo', 'c.address', (eb) => eb.fn.count<string>('p.id').as('photos')])
    .where('c.description', '=', description)
    .groupBy(['c.trackingNo', 'c.address'])
    .execute()
}

/** Clicks the step's button and waits for the page it leads to. */
async function saveStep(page: Page, name = '保存并继续') {
  const answer = page.waitForResponse((r) => r.request().method() === 'POST')
  await page.getByRole('button', { name }).click()
  const response = await answer
  await page.waitForLoadState()
  return response
}

const pathOf = (page: Page) => new URL(page.url()).pathname

async function fillWhat(page: Page, description: string) {
  await page.getByLabel('投诉', { exact: true }).check()
  await page.getByLabel('问题类别').selectOption({ label: '缺斤短两' })
  await page.getByLabel('发生时间').fill(yesterday())
  await page.getByLabel('事情经过').fill(description)
}

async function fillWhere(page: Page) {
  await page.getByLabel('商户或单位名称').fill('城东菜场 12 号摊位')
  await page.getByLabel('事发区县').selectOption({ label: '莲都区' })
  await page.getByLabel('事发地址').fill('莲都区城东菜场 12 号摊位')
}

async function fillAbout(page: Page) {
  await page.getByLabel('姓名（投诉必填）').fill('王小明')
  await page.getByLabel('电话（投诉必填）').fill('13812345678')
  await page.getByLabel('我已阅读并同意《个人信息保护说明》').check()
}

/** Every step answered, ending on the check page. */
async function answerEveryStep(page: Page, description: string) {
  await page.goto('/complaints/steps/what')
  await fillWhat(page, description)
  await saveStep(page)
  expect(pathOf(page)).toBe('/complaints/steps/where')
  await fillWhere(page)
  await saveStep(page)
  expect(pathOf(page)).toBe('/complaints/steps/about')
  await fillAbout(page)
  await saveStep(page)
  expect(pathOf(page)).toBe('/complaints/steps/photos')
}

/** A visitor of their own: no draft of another test in the way. */
function freshVisitor(javaScriptEnabled: boolean) {
  return session.browser.newContext({
    baseURL: session.baseUrl,
    locale: 'zh-CN',
    javaScriptEnabled,
  })
}

/** The value the check page shows for an answer. */
async function checkValue(page: Page, label: string) {
  const row = page.locator('.check-row').filter({ has: page.locator('dt', { hasText: label }) })
  return (await row.locator('.check-value').innerText()).trim()
}

describe('the complaint in steps with JavaScript off', () => {
  test('a resident files through every step and the check page, changing one answer on the way', async () => {
    const { page, problems } = await watchedPage(await freshVisitor(false))
    const description = uniqueDescription()

    // A step posted empty is refused on the step, with the error summary and the field's message.
    // The usual way in: the first step is on the complaint page itself.
    await page.goto('/complaints/new')
    expect(await textsOf(page, 'h2')).toContain('发生了什么')
    const refused = await saveStep(page)
    expect(refused.status()).toBe(422)
    expect(pathOf(page)).toBe('/complaints/steps/what')
    expect(await page.title()).toMatch(/^错误：/)
    const summary = await textsOf(page, '#error-summary li')
    expect(summary).toContain('投诉还是举报：请选择“投诉”或“举报”。')
    expect(summary.some((s) => s.startsWith('事情经过：'))).toBe(true)
    expect(summary.some((s) => s.startsWith('事发区县'))).toBe(false)

    await fillWhat(page, description)
    // A description too short is refused and the other answers of the step stay as typed.
    await page.getByLabel('事情经过').fill('少了')
    expect((await saveStep(page)).status()).toBe(422)
    expect(await page.getByLabel('问题类别').inputValue()).toBe('short_weight')
    await page.getByLabel('事情经过').fill(description)
    expect((await saveStep(page)).status()).toBe(303)

    await fillWhere(page)
    await saveStep(page)
    // A 投诉 without a phone is refused on 关于您 with the intake's own message.
    await page.getByLabel('姓名（投诉必填）').fill('王小明')
    await page.getByLabel('我已阅读并同意《个人信息保护说明》').check()
    expect((await saveStep(page)).status()).toBe(422)
    expect(await textsOf(page, '#complaint-phone-error')).toEqual([
      '错误： 投诉需要留下电话，以便调解时联系您；不愿留名请选择“举报”。',
    ])
    await fillAbout(page)
    await saveStep(page)

    // The photo step states the size limit before a file is chosen.
    expect(await textsOf(page, '#complaint-photos-hint')).toEqual([
      expect.stringContaining('每张照片不超过 5 MB') as string,
    ])
    await page.getByLabel('照片（选填）').setInputFiles({
      name: '秤.jpg',
      mimeType: 'image/jpeg',
      buffer: Buffer.from(jpeg().bytes),
    })
    await saveStep(page)
    expect(pathOf(page)).toBe('/complaints/check')
    expect(await checkValue(page, '事发地址')).toBe('莲都区城东菜场 12 号摊位')
    expect(await checkValue(page, '电话')).toBe('13812345678')
    expect(await checkValue(page, '办理进展短信')).toBe('接收')
    expect(await checkValue(page, '照片')).toBe('照片 1：秤.jpg')

    // 修改 goes to the step and, once saved, back to the check page (not on through 关于您).
    await page.getByRole('link', { name: /^修改\s*事发地址$/ }).click()
    expect(pathOf(page)).toBe('/complaints/steps/where')
    await page.getByLabel('事发地址').fill('莲都区城东菜场 15 号摊位')
    await saveStep(page, '保存并返回核对')
    expect(pathOf(page)).toBe('/complaints/check')
    expect(await checkValue(page, '事发地址')).toBe('莲都区城东菜场 15 号摊位')
    expect(await checkValue(page, '事情经过')).toBe(description)

    expect((await saveStep(page, '提交')).status()).toBe(303)
    await page.waitForURL((url) => url.pathname.startsWith('/complaints/receipt/'))
    const [trackingNo] = await textsOf(page, '#receipt-tracking-no')
    expect(trackingNo).toMatch(/^JL\d{8}-\d{4}-\d{4}$/)
    expect(await textsOf(page, '#receipt-query-code')).toHaveLength(1)

    expect(await storedWith(description)).toEqual([
      { trackingNo, address: '莲都区城东菜场 15 号摊位', photos: '1' },
    ])
    // No answer ever travels in an address.
    expect(page.url()).not.toContain('13812345678')
    expect(problems.filter((p) => !p.includes('422'))).toEqual([])
  }, 120_000)

  test('posting the check page twice, and reloading it, files one complaint with one receipt', async () => {
    const context = await freshVisitor(false)
    try {
      const page = await context.newPage()
      const description = uniqueDescription()
      await answerEveryStep(page, description)
      await saveStep(page)
      expect(pathOf(page)).toBe('/complaints/check')

      // Two posts at once (a double click), then a third after the first answered.
      const post = () =>
        context.request.post('/complaints/check', {
          maxRedirects: 0,
          headers: { origin: session.baseUrl },
          form: { submit: '' },
        })
      const answers = await Promise.all([post(), post()])
      answers.push(await post())
      const receipts = answers.map((a) => {
        expect(a.status()).toBe(303)
        return a.headers().location
      })
      expect(new Set(receipts).size).toBe(1)
      // The check page itself, after filing, leads to that receipt.
      await page.goto('/complaints/check')
      expect(pathOf(page)).toBe(receipts[0])

      const stored = await storedWith(description)
      expect(stored).toHaveLength(1)
      expect(receipts[0]).toBe(`/complaints/receipt/${stored[0]!.trackingNo}`)
    } finally {
      await context.close()
    }
  })

  test('a photo over 5 MB is refused with a clear message and every answer is kept', async () => {
    const context = await freshVisitor(false)
    const page = await context.newPage()
    const description = uniqueDescription()
    await answerEveryStep(page, description)
    const big = Buffer.concat([Buffer.from(jpeg().bytes), Buffer.alloc(5 * 1024 * 1024 + 1)])
    await page.getByLabel('照片（选填）').setInputFiles({
      name: '大照片.jpg',
      mimeType: 'image/jpeg',
      buffer: big,
    })
    expect((await saveStep(page)).status()).toBe(422)
    expect((await textsOf(page, '#complaint-photos-error')).join('')).toMatch(/5 MB/)
    await saveStep(page)
    expect(pathOf(page)).toBe('/complaints/check')
    expect(await checkValue(page, '事情经过')).toBe(description)
    expect(await checkValue(page, '姓名')).toBe('王小明')
    expect(await checkValue(page, '照片')).toBe('未添加')
    await context.close()
  })
})

describe('a complaint started from a business’s page, with JavaScript off', () => {
  /** A business no other browser test files about: the first active one of 遂昌县 by name. */
  const businessOfSuichang = () =>
    db
      .selectFrom('enterprises')
      .select(['uscc', 'name', 'countyCode', 'address'])
      .where('status', '=', 'active')
      .where('countyCode', '=', '331123')
      .orderBy('name', 'asc')
      .executeTakeFirstOrThrow()

  test('its 投诉 link starts the steps with the business filled in, and the complaint is tied to it', async () => {
    const business = await businessOfSuichang()
    const { page, problems } = await watchedPage(await freshVisitor(false))
    const description = uniqueDescription()

    await page.goto(`/enterprises/${business.uscc}/`)
    await page.getByRole('link', { name: '投诉举报这家单位' }).click()
    await page.waitForLoadState()
    expect(pathOf(page)).toBe('/complaints/steps/what')
    expect(await textsOf(page, '#complaint-info')).toEqual([
      `被投诉单位已填好：${business.name}（${business.address}）。第 2 步“在哪里”可以核对和修改。`,
    ])
    await fillWhat(page, description)
    await saveStep(page)

    // 在哪里 shows the business chosen, every answer still open to change.
    expect(pathOf(page)).toBe('/complaints/steps/where')
    expect(await page.getByLabel('商户或单位名称').inputValue()).toBe(business.name)
    expect(await page.getByLabel('统一社会信用代码（选填）').inputValue()).toBe(business.uscc)
    expect(await page.getByLabel('事发区县').inputValue()).toBe(business.countyCode)
    expect(await page.getByLabel('事发地址').inputValue()).toBe(business.address)
    expect(await textsOf(page, '#merchant-linked')).toEqual([
      `已关联诚信计量单位：${business.name}（${business.uscc}）`,
    ])
    const address = `${business.address}（门口的水果摊）`
    await page.getByLabel('事发地址').fill(address)
    await saveStep(page)
    await fillAbout(page)
    await saveStep(page)
    await saveStep(page)

    expect(pathOf(page)).toBe('/complaints/check')
    expect(await checkValue(page, '商户或单位名称')).toBe(business.name)
    expect(await checkValue(page, '统一社会信用代码')).toBe(business.uscc)
    expect(await checkValue(page, '事发地址')).toBe(address)
    expect((await saveStep(page, '提交')).status()).toBe(303)
    await page.waitForURL((url) => url.pathname.startsWith('/complaints/receipt/'))
    const [trackingNo] = await textsOf(page, '#receipt-tracking-no')

    const stored = await db
      .selectFrom('complaints')
      .select(['trackingNo', 'merchantName', 'merchantUscc', 'enterpriseUscc', 'countyCode'])
      .where('description', '=', description)
      .execute()
    expect(stored).toEqual([
      {
        trackingNo,
        merchantName: business.name,
        merchantUscc: business.uscc,
        enterpriseUscc: business.uscc,
        countyCode: business.countyCode,
      },
    ])
    expect(problems).toEqual([])
  }, 120_000)

  test('a link with an unknown or malformed code fills in nothing and says so plainly', async () => {
    const { page, problems } = await watchedPage(await freshVisitor(false))
    const unlisted = '91331100MA2A00000Y'
    const answer = await page.goto(`/complaints/steps/what?business=${unlisted}`)
    expect(answer?.status()).toBe(200)
    expect(await page.title()).not.toMatch(/^错误/)
    expect(await textsOf(page, '#complaint-info')).toEqual([
      `代码为 ${unlisted} 的单位不在丽水市诚信计量单位名单上，无法带出被投诉单位。请在第 2 步“在哪里”填写它的名称和地址。`,
    ])
    expect(await page.locator('input[name="business"]').count()).toBe(0)

    const malformed = await page.goto('/complaints/steps/what?business=9133')
    expect(malformed?.status()).toBe(200)
    expect(await textsOf(page, '#complaint-info')).toEqual([
      '链接中的统一社会信用代码有误（应为 18 位，实际 4 位），无法带出被投诉单位。请在第 2 步“在哪里”填写它的名称和地址。',
    ])
    expect(await page.locator('input[name="business"]').count()).toBe(0)

    // The steps go on as usual, with 在哪里 left blank.
    await fillWhat(page, uniqueDescription())
    await saveStep(page)
    expect(pathOf(page)).toBe('/complaints/steps/where')
    expect(await page.getByLabel('商户或单位名称').inputValue()).toBe('')
    expect(await page.getByLabel('统一社会信用代码（选填）').inputValue()).toBe('')
    expect(await page.locator('#merchant-linked').count()).toBe(0)
    expect(problems).toEqual([])
  })

  test('a code posted with the first step that names no business is ignored', async () => {
    const context = await freshVisitor(false)
    try {
      // As if the first step's hidden field had been edited to name a business we do not know.
      const posted = await context.request.post('/complaints/steps/what', {
        maxRedirects: 0,
        headers: { origin: session.baseUrl },
        form: {
          kind: 'complaint',
          category: 'short_weight',
          occurredAt: yesterday(),
          description: uniqueDescription(),
          business: '91331100MA2A00000Y',
        },
      })
      expect(posted.status()).toBe(303)
      expect(posted.headers().location).toBe('/complaints/steps/where')
      const page = await context.newPage()
      await page.goto('/complaints/steps/where')
      expect(pathOf(page)).toBe('/complaints/steps/where')
      expect(await page.getByLabel('统一社会信用代码（选填）').inputValue()).toBe('')
    } finally {
      await context.close()
    }
  })
})

/**
 * Sideways scroll and, when `audit`, axe violations of the page shown now. What axe checks (names,
 * roles, contrast, landmarks) does not change with the width, so the zoomed screen checks the fit
 * alone, as the public pages' walk does (layout.test.ts).
 */
async function fitAndAudit(page: Page, audit: boolean) {
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - window.innerWidth,
  )
  if (overflow > 0) {
    // Name what sticks out, so a failure says where to look.
    const wide = await page.evaluate(() =>
      Array.from(document.querySelectorAll('body *'))
        .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 0.5)
        .slice(0, 8)
        .map((e) => `${e.tagName.toLowerCase()}#${e.id}.${e.className}`),
    )
    return { overflow, wide, violations: [] as string[] }
  }
  const wide: string[] = []
  if (!audit) return { overflow, wide, violations: [] as string[] }
  const { violations } = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze()
  return {
    overflow,
    wide,
    violations: violations.map(
      (v) => `${v.id}: ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    ),
  }
}

/**
 * 360 × 740 at 200 % zoom lays a page out 180 CSS pixels wide, drawn at two device pixels each.
 */
const screens = [
  { name: '320 × 640', viewport: { width: 320, height: 640 }, deviceScaleFactor: 1, axe: true },
  {
    name: '360 × 740 at 200 %',
    viewport: { width: 180, height: 370 },
    deviceScaleFactor: 2,
    axe: false,
  },
]

describe('the complaint steps on a small screen', () => {
  for (const screen of screens) {
    for (const javaScriptEnabled of [false, true]) {
      test(`fit ${screen.name} with JavaScript ${javaScriptEnabled ? 'on' : 'off'}${screen.axe ? ', with no axe violation' : ''}`, async () => {
        // axe runs in the page, so "JavaScript off" is a page whose own scripts are never
        // loaded (Astro bundles them as files): what a visitor without JavaScript is served.
        const context: BrowserContext = await session.browser.newContext({
          baseURL: session.baseUrl,
          locale: 'zh-CN',
          viewport: screen.viewport,
          deviceScaleFactor: screen.deviceScaleFactor,
        })
        if (!javaScriptEnabled) {
          await context.route('**/*', (route) =>
            route.request().resourceType() === 'script' ? route.abort() : route.continue(),
          )
        }
        try {
          const page = await context.newPage()
          const seen: Record<string, Awaited<ReturnType<typeof fitAndAudit>>> = {}
          await page.goto('/complaints/new')
          seen.start = await fitAndAudit(page, screen.axe)
          // The step shown with its errors too: the summary and messages must fit as well.
          await saveStep(page)
          seen['what with errors'] = await fitAndAudit(page, screen.axe)
          await fillWhat(page, uniqueDescription())
          await saveStep(page)
          seen.where = await fitAndAudit(page, screen.axe)
          await fillWhere(page)
          await saveStep(page)
          seen.about = await fitAndAudit(page, screen.axe)
          await fillAbout(page)
          await saveStep(page)
          seen.photos = await fitAndAudit(page, screen.axe)
          await saveStep(page)
          expect(pathOf(page)).toBe('/complaints/check')
          seen.check = await fitAndAudit(page, screen.axe)
          // The whole form on one page (kept for those who prefer it) fits as well.
          await page.goto('/complaints/submit')
          seen['one page'] = await fitAndAudit(page, screen.axe)
          // The first step opened from a business's page, saying which business it is about.
          const { uscc } = await db
            .selectFrom('enterprises')
            .select('uscc')
            .where('status', '=', 'active')
            .orderBy('uscc')
            .executeTakeFirstOrThrow()
          await page.goto(`/complaints/steps/what?business=${uscc}`)
          expect(await page.locator('#complaint-info').count()).toBe(1)
          seen['from a business'] = await fitAndAudit(page, screen.axe)
          for (const [step, found] of Object.entries(seen)) {
            expect(found, step).toEqual({ overflow: found.overflow, wide: [], violations: [] })
            expect(found.overflow, `${step} scrolls sideways`).toBeLessThanOrEqual(0)
          }
        } finally {
          await context.close()
        }
      }, 180_000)
    }
  }
})

describe('the photo step with JavaScript on', () => {
  test('a phone photo over 5 MB is made smaller in the browser and accepted', async () => {
    const { page, problems } = await watchedPage(await freshVisitor(true))
    const description = uniqueDescription()
    await answerEveryStep(page, description)
    // A noisy 4000 × 3000 JPEG, as a phone camera makes them: well over 5 MB.
    const base64 = await page.evaluate(async () => {
      const canvas = document.createElement('canvas')
      canvas.width = 4000
      canvas.height = 3000
      const context = canvas.getContext('2d')!
      const image = context.createImageData(canvas.width, canvas.height)
      for (let i = 0; i < image.data.length; i++) image.data[i] = (Math.random() * 256) | 0
      context.putImageData(image, 0, 0)
      const blob = await new Promise<Blob>((resolve) =>
        canvas.toBlob((b) => resolve(b!), 'image/jpeg', 0.95),
      )
      const bytes = new Uint8Array(await blob.arrayBuffer())
      let text = ''
      for (let i = 0; i < bytes.length; i += 0x8000) {
        text += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
      }
      return btoa(text)
    })
    const photo = Buffer.from(base64, 'base64')
    expect(photo.length).toBeGreaterThan(5 * 1024 * 1024)
    const upload = page.waitForRequest((r) => r.method() === 'POST')
    await page.getByLabel('照片（选填）').setInputFiles({
      name: 'IMG_0001.jpg',
      mimeType: 'image/jpeg',
      buffer: photo,
    })
    await expect
      .poll(() => textsOf(page, '#complaint-photos-check'), { timeout: 30_000 })
      .toEqual(['已把 1 张较大的照片缩小，可以上传。'])
    await page.getByRole('button', { name: '保存并继续' }).click()
    const sent = (await upload).postDataBuffer()
    expect(sent?.length ?? 0).toBeLessThan(5 * 1024 * 1024)
    await page.waitForURL((url) => url.pathname === '/complaints/check')
    expect(await checkValue(page, '照片')).toBe('照片 1：IMG_0001.jpg')
    await page.getByRole('button', { name: '提交' }).click()
    await page.waitForURL((url) => url.pathname.startsWith('/complaints/receipt/'))
    const stored = await storedWith(description)
    expect(stored).toHaveLength(1)
    expect(stored[0]!.photos).toBe('1')
    expect(problems).toEqual([])
  }, 120_000)
})
