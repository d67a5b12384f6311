import jsQR from 'jsqr'
import { PNG } from 'pngjs'
import type { Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { usccCheckCharacter } from '../../api/domain/uscc.ts'
import { sessionCookieName } from '../../api/services/admin/sessions.ts'
import { createDb, type Db } from '../../db/client.ts'
import { openSession, textsOf, watchedPage, type Session } from '../support/browser.ts'
import { operatorSession } from '../support/operators.ts'

/**
 * The plaque at a business's counter carries a QR code; scanning it opens /verify/<code>, which
 * reads the business's status from PostgreSQL at that moment.
 */

let session: Session
let db: Db
/** A business no other browser test looks at: the first active one of 庆元县 by name. */
let target: { uscc: string; name: string }
const escaped = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

beforeAll(async () => {
  session = await openSession()
  db = createDb({ connectionString: inject('siteDatabaseUrl'), max: 1 })
  const { token } = await operatorSession(db, 'city_admin')
  await session.withoutJs.addCookies([
    { name: sessionCookieName, value: token, url: session.baseUrl },
  ])
  target = await db
    .selectFrom('enterprises')
    .select(['uscc', 'name'])
    .where('status', '=', 'active')
    .where('countyCode', '=', '331126')
    .orderBy('name', 'asc')
    .executeTakeFirstOrThrow()
})

afterAll(async () => {
  await session.close()
  await db.destroy()
})

/** Reads the QR code the page shows in `selector`, as a phone's camera would see it. */
async function scan(page: Page, selector: string): Promise<string | undefined> {
  const png = PNG.sync.read(await page.locator(selector).screenshot())
  return jsQR(new Uint8ClampedArray(png.data), png.width, png.height)?.data
}

describe('the plaque’s QR code', () => {
  test('the console shows it for printing, and scanned it opens the live check of that business', async () => {
    const { page, problems } = await watchedPage(session.withoutJs)
    await page.goto(`/admin/enterprises/${target.uscc}`)
    // The public site's address, whichever host the console was opened on: with SITE_URL unset,
    // the address the product serves on (its port chosen at start).
    const address = `${inject('siteUrl')}/verify/${target.uscc}`
    expect(await scan(page, '.plaque-qr [role="img"]')).toBe(address)
    expect(await page.locator('.plaque-qr [role="img"]').getAttribute('aria-label')).toContain(
      address,
    )
    const download = page.getByRole('link', { name: /下载二维码/ })
    expect(await download.getAttribute('download')).toBe(`诚信计量牌匾二维码-${target.uscc}.svg`)
    const href = (await download.getAttribute('href')) ?? ''
    expect(href.startsWith('data:image/svg+xml')).toBe(true)
    // The file holds the code shown: the same modules.
    const file = decodeURIComponent(href.slice(href.indexOf(',') + 1))
    const shown = await page
      .locator('.plaque-qr svg path')
      .evaluateAll((paths) => paths.map((p) => p.getAttribute('d')))
    expect([...file.matchAll(/ d="([^"]+)"/g)].map((m) => m[1])).toEqual(shown)
    expect(shown.join('').length).toBeGreaterThan(100)
    expect(problems).toEqual([])
  })
})

describe('the live check (/verify)', () => {
  test('says an active business is certified, then a suspension at once, without JavaScript', async () => {
    const { page, problems } = await watchedPage(session.withoutJs)
    const answer = await page.goto(`/verify/${target.uscc}`)
    expect(answer?.status()).toBe(200)
    expect(answer?.headers()['cache-control']).toBe('no-store')
    expect(await textsOf(page, '#verdict')).toEqual([
      expect.stringMatching(
        new RegExp(
          `^${escaped(target.name)}\\s+是丽水市诚信计量单位，有效期至\\d{4}年\\d{1,2}月\\d{1,2}日`,
        ),
      ),
    ])
    expect(await page.locator('#verdict').getAttribute('role')).toBe('status')
    expect(await textsOf(page, '.verify-time')).toEqual([expect.stringMatching(/^核验时间：/)])
    // Reporting the shop starts the complaint in steps with the business filled in.
    await page.getByRole('link', { name: '在线投诉举报这家单位' }).click()
    await page.waitForURL((url) => url.pathname === '/complaints/steps/what')
    expect(await textsOf(page, '#complaint-info')).toEqual([
      expect.stringContaining(`被投诉单位已填好：${target.name}`),
    ])
    expect(await page.locator('input[name="business"]').inputValue()).toBe(target.uscc)

    // Suspended in the console: the check says so on the next scan, before any page rebuild.
    await page.goto(`/admin/enterprises/${target.uscc}`)
    const suspend = page.locator('#action-suspend')
    await suspend.getByLabel('变更原因（必填）').fill('扫码核验抽查：电子秤超期未检定')
    await suspend.getByRole('button', { name: '暂停' }).click()
    await page.waitForURL(`**/admin/enterprises/${target.uscc}?done=suspend`)

    await page.goto(`/verify/${target.uscc}`)
    const verdict = page.locator('#verdict')
    expect(await verdict.getAttribute('role')).toBe('alert')
    const text = await verdict.innerText()
    expect(text).toMatch(new RegExp(`^${escaped(target.name)}\\s+已暂停诚信计量单位认定（\\d{4}年`))
    expect(text).toContain('该单位的诚信计量认定自')
    expect(text).toContain('起暂停')
    expect(text).toContain('原因：扫码核验抽查：电子秤超期未检定')
    expect(text).toContain('不是有效的诚信计量单位')
    // A code typed in lower case is the same business.
    const lower = await page.goto(`/verify/${target.uscc.toLowerCase()}`)
    expect(lower?.status()).toBe(200)
    expect(await page.locator('#verdict').innerText()).toContain('起暂停')
    expect(problems).toEqual([])
  })

  test('says a code not on the list may be a forged plaque, and what is wrong with a malformed one', async () => {
    const { page, problems } = await watchedPage(session.withoutJs)
    // A well-formed code (its check character right) that no business on the list has.
    const first17 = `${target.uscc.slice(0, 16)}${target.uscc[16] === '0' ? '1' : '0'}`
    const unknown = `${first17}${usccCheckCharacter(first17)}`
    const answer = await page.goto(`/verify/${unknown}`)
    expect(answer?.status()).toBe(404)
    const text = await page.locator('#verdict').innerText()
    expect(text).toContain(`统一社会信用代码 ${unknown} 不在丽水市诚信计量单位名录中`)
    expect(text).toContain('该牌匾可能是伪造或冒用的')

    const malformed = await page.goto('/verify/91331126ABC')
    expect(malformed?.status()).toBe(404)
    expect(await page.locator('#verdict').innerText()).toContain(
      '“91331126ABC”不是有效的统一社会信用代码：应为 18 位，实际 11 位',
    )
    // The 404s are this page's answers, not failures.
    expect(problems.filter((p) => !p.includes('404'))).toEqual([])
  })

  test('is linked from the business’s public page', async () => {
    const { page, problems } = await watchedPage(session.withoutJs)
    await page.goto(`/enterprises/${target.uscc}/`)
    expect(await page.getByRole('link', { name: '实时核验' }).getAttribute('href')).toBe(
      `/verify/${target.uscc}`,
    )
    expect(problems).toEqual([])
  })
})
