import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { sessionCookieName } from '../../api/services/admin/sessions.ts'
import { createDb, type Db } from '../../db/client.ts'
import { openSession, textsOf, watchedPage, type Session } from '../support/browser.ts'
import { operatorSession } from '../support/operators.ts'

/**
 * A county handler's credit-record page on a phone, without JavaScript (issue 22, points 2, 7
 * and 9): a commitment recorded, an objection to a failed inspection registered and upheld, and
 * the correction shown on the page beside the amended result.
 */

const county = '331127' // 景宁畲族自治县: no other browser test acts on its records
let session: Session
let db: Db
let token: string
let target: { uscc: string; name: string }
let visitId: string

beforeAll(async () => {
  session = await openSession({ width: 360, height: 740 })
  db = createDb({ connectionString: inject('siteDatabaseUrl'), max: 1 })
  ;({ token } = await operatorSession(
    db,
    'county_handler',
    county,
    `e2erecords${randomBytes(3).toString('hex')}`,
  ))
  target = await db
    .selectFrom('enterprises')
    .select(['uscc', 'name'])
    .where('status', '=', 'active')
    .where('countyCode', '=', county)
    .orderBy('name', 'desc')
    .executeTakeFirstOrThrow()
  const campaign = await db
    .insertInto('inspectionCampaigns')
    .values({
      title: '浏览器测试衡器专项检查',
      kind: 'market_scale',
      startsOn: '2026-10-01',
      endsOn: '2026-10-31',
      countyCodes: [county],
      sectorCodes: ['market'],
      drawSize: 1,
      ownerCountyCode: county,
      status: 'drawn',
      drawnAt: new Date(),
      drawSeed: 'e2e',
      drawMethod: 'test',
      drawWeights: JSON.stringify({ A: 1, B: 2, C: 4, D: 8 }),
      drawPool: JSON.stringify([{ uscc: target.uscc, grade: 'B' }]),
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  ;({ id: visitId } = await db
    .insertInto('inspectionVisits')
    .values({
      campaignId: campaign.id,
      uscc: target.uscc,
      countyCode: county,
      drawRank: 1,
      status: 'recorded',
      visitedOn: '2026-10-12',
      result: 'fail',
      findings: '1 台电子秤超差',
      recordedAt: new Date(),
      publishedAt: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow())
})

afterAll(async () => {
  await session.close()
  await db.destroy()
})

describe('credit records in the console', () => {
  test('a handler records a commitment and corrects an inspection upheld on objection', async () => {
    const context = session.withoutJs
    await context.addCookies([{ name: sessionCookieName, value: token, url: session.baseUrl }])
    const { page, problems } = await watchedPage(context)
    const list = await page.goto('/admin/records')
    expect(list?.headers()['cache-control']).toBe('no-store')
    expect(await textsOf(page, 'h2')).toContainEqual(
      expect.stringContaining('尚未签署承诺的诚信计量单位'),
    )
    await page.getByLabel('统一社会信用代码或单位名称').fill(target.uscc)
    await page.getByRole('button', { name: '查找' }).click()
    await page.locator('#matches-title + ul').getByRole('link', { name: target.name }).click()
    await page.waitForURL(`**/admin/records/${target.uscc}`)
    expect(await textsOf(page, 'h1')).toEqual([target.name])

    // A commitment signed in the future is refused by the server, next to the field.
    const commit = page.locator('#commit')
    await commit.getByLabel('承诺书版本').selectOption('v1')
    await commit.getByLabel('签署日期').fill('2999-01-01')
    await commit.getByLabel('签署人职务').selectOption('法定代表人')
    await commit.getByRole('button', { name: '记录承诺' }).click()
    expect(await page.locator('.error-summary').innerText()).toContain('晚于今天')
    expect(await page.locator('#commit-signedOn').getAttribute('aria-invalid')).toBe('true')
    await page.locator('#commit').getByLabel('签署日期').fill('2026-11-20')
    await page.locator('#commit').getByRole('button', { name: '记录承诺' }).click()
    await page.waitForURL(`**/admin/records/${target.uscc}?done=commit`)
    expect(await page.locator('[role="status"]').innerText()).toContain('已记录自我承诺')
    expect(await page.locator('#commitments-title + div').innerText()).toContain('有效（公开显示）')

    const object = page.locator('#object')
    await object.getByLabel('异议针对的记录类型').selectOption({ label: '检查记录' })
    await object.getByLabel('记录编号').fill(visitId)
    await object.getByLabel('单位提出的异议内容（内部）').fill('该秤检定证书有效，复秤合格。')
    await object.getByRole('button', { name: '登记异议' }).click()
    await page.waitForURL(`**/admin/records/${target.uscc}?done=object`)

    const decide = page.locator('form[id^="decide-"]')
    await decide.getByLabel('处理结果').selectOption('upheld')
    await decide.getByLabel('核实情况（内部）').fill('复核检定证书与复秤记录，原记录错录。')
    await decide.getByLabel('更正方式（异议成立时必选）').selectOption('amended')
    await decide.getByLabel('更正后的检查结果').selectOption('pass')
    await decide.getByLabel('公开的更正说明（异议成立时必填）').fill('原记录将另一台秤的结果错记')
    await decide.getByRole('button', { name: '保存处理结果' }).click()
    await page.waitForURL(`**/admin/records/${target.uscc}?done=decide`)
    const inspections = await page.locator('#inspections-title + div').innerText()
    expect(inspections).toContain('合格')
    expect(inspections).toContain('经异议核实，检查结果由“不合格”更正为“合格”，已更正。')
    expect(await page.locator('#objections-title ~ article h3').innerText()).toContain(
      '异议成立，已更正',
    )
    // Nothing overflows the 360 px screen but the tables, which scroll in their own box.
    const overflow = await page.evaluate(
      () => document.documentElement.scrollWidth > document.documentElement.clientWidth,
    )
    expect(overflow).toBe(false)
    // The refused commitment's 400 is the page telling the handler, not a fault.
    expect(problems.filter((p) => !/HTTP 400|status of 400/.test(p))).toEqual([])
  })

  test('the commitment text is published as a page', async () => {
    const { page, problems } = await watchedPage(session.withoutJs)
    const res = await page.goto('/commitments/v1/')
    expect(res?.status()).toBe(200)
    expect(await textsOf(page, 'h1')).toEqual(['诚信计量承诺书'])
    expect(await page.locator('article').innerText()).toContain('以经营者自我承诺为主')
    expect(problems).toEqual([])
  })
})
