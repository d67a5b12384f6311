import { randomBytes } from 'node:crypto'
import iconv from 'iconv-lite'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { sessionCookieName } from '../../api/services/admin/sessions.ts'
import { usccAlphabet, usccCheckCharacter } from '../../api/domain/uscc.ts'
import { createDb, type Db } from '../../db/client.ts'
import { openSession, textsOf, watchedPage, type Session } from '../support/browser.ts'
import { operatorSession } from '../support/operators.ts'

let session: Session
let db: Db
let token: string

beforeAll(async () => {
  session = await openSession()
  db = createDb({ connectionString: inject('siteDatabaseUrl'), max: 1 })
  ;({ token } = await operatorSession(
    db,
    'city_admin',
    null,
    `e2eimport${randomBytes(3).toString('hex')}`,
  ))
  await session.withoutJs.addCookies([
    { name: sessionCookieName, value: token, url: session.baseUrl },
  ])
})

afterAll(async () => {
  await session.close()
  await db.destroy()
})

function uscc(prefix: string) {
  let body = prefix
  for (const byte of randomBytes(18 - prefix.length - 1)) {
    body += usccAlphabet.charAt(byte % usccAlphabet.length)
  }
  return body + usccCheckCharacter(body)
}

const suffix = randomBytes(2).toString('hex')
const header = '统一社会信用代码,企业名称,区县,行业,地址,认定日期,有效期至,状态'
const csvLine = (fields: string[]) => fields.join(',')

/** New businesses, for the lists that must not be written. */
const freshRows = [
  [uscc('91331127'), `景宁畲族自治县鹤溪镇畲乡粮油店${suffix}`, '景宁畲族自治县', '粮食收购'],
  [uscc('91331102'), `丽水市莲都区万象农贸市场（东区）${suffix}`, '莲都区', '集贸市场'],
].map(([code = '', name = '', county = '', sector = '']) =>
  csvLine([
    code,
    name,
    county,
    sector,
    `${county}人民中路 15 号`,
    '2024-01-10',
    '2030-01-09',
    '有效',
  ]),
)

/**
 * Two listed businesses no other browser test looks at, the last two active ones of 云和县 by
 * code, with a new address: the browser tests share one site, whose directory counts its
 * businesses, so this import changes two instead of adding any. Their Chinese names travel
 * through GB18030 and must come back exactly, or the import would report the names as changed.
 */
const listedRows = async () =>
  (
    await db
      .selectFrom('enterprises')
      .select(['uscc', 'name', 'countyCode', 'sectorCode', 'certifiedAt', 'validUntil'])
      .where('status', '=', 'active')
      .where('countyCode', '=', '331125')
      .orderBy('uscc', 'desc')
      .limit(2)
      .execute()
  ).map((b) => ({
    uscc: b.uscc,
    name: b.name,
    line: csvLine([
      b.uscc,
      b.name,
      b.countyCode,
      b.sectorCode,
      `云和县浮云街道中山街 ${suffix} 号`,
      b.certifiedAt,
      b.validUntil,
      '有效',
    ]),
  }))

/** As Excel and WPS on Chinese Windows save "CSV (逗号分隔)": GB18030, no BOM, CRLF. */
const excelCsv = (lines: string[]) =>
  iconv.encode(`${[header, ...lines].join('\r\n')}\r\n`, 'gb18030')

const fileLabel = /^名单文件（\.xlsx 或 \.csv，最大 \d+ KB）$/

const storedWithNewAddress = async () =>
  await db
    .selectFrom('enterprises')
    .select(['uscc', 'name'])
    .where('address', 'like', `%中山街 ${suffix} 号`)
    .orderBy('uscc', 'desc')
    .execute()

describe('importing a list in the console', () => {
  test('an administrator uploads a list Excel saved as GB18030, without JavaScript; names intact, again changes nothing', async () => {
    const { page, problems } = await watchedPage(session.withoutJs)
    await page.goto('/admin/enterprises')
    await page.getByRole('link', { name: '上传名单批量导入' }).click()
    await page.waitForURL('**/admin/enterprises/import')
    const upload = async (buffer: Buffer) => {
      await page
        .getByLabel(fileLabel)
        .setInputFiles({ name: '诚信计量单位名单.csv', mimeType: 'text/csv', buffer })
      await page.getByRole('button', { name: '上传并导入' }).click()
      await page.waitForLoadState()
    }

    const listed = await listedRows()
    expect(listed).toHaveLength(2)
    await upload(excelCsv(listed.map((b) => b.line)))
    const done = await page.locator('#import-done').innerText()
    expect(done).toContain('已导入 诚信计量单位名单.csv：共 2 行')
    expect(done).toContain('变更 2 家')
    expect(done).toContain('新增 0 家')
    expect(await storedWithNewAddress()).toEqual(listed.map(({ uscc, name }) => ({ uscc, name })))

    await upload(excelCsv(listed.map((b) => b.line)))
    expect(await page.locator('#import-done').innerText()).toContain(
      '数据库已与名单一致，没有任何改动。',
    )
    expect(problems).toEqual([])
  })

  test('a list with a wrong row is refused whole, each problem with its row', async () => {
    const { page } = await watchedPage(session.withoutJs)
    await page.goto('/admin/enterprises/import')
    const wrong = [
      ...freshRows,
      freshRows[0]!.replace('景宁畲族自治县,粮食收购', '杭州市,粮食收购'),
    ]
    await page
      .getByLabel(fileLabel)
      .setInputFiles({ name: 'wrong.csv', mimeType: 'text/csv', buffer: excelCsv(wrong) })
    await page.getByRole('button', { name: '上传并导入' }).click()
    await page.waitForLoadState()
    const cells = await textsOf(page, '#import-problems tbody td')
    expect(cells).toContain('第 4 行')
    expect(cells).toContain('杭州市')
    expect(await page.locator('[role="alert"] h2').innerText()).toContain('没有写入任何数据')
  })

  test('a list over the size limit is refused with 413, nothing written', async () => {
    const { page } = await watchedPage(session.withoutJs)
    await page.goto('/admin/enterprises/import')
    // A list that would import (new businesses, a long note in a column the import ignores) but
    // for its size, past the default 1 MiB limit.
    const note = 'x'.repeat(600 * 1024)
    const fresh = freshRows.map(
      (r) => `${r.replace(suffix, `${suffix}大`).replace(/^\w+/, () => uscc('91331102'))},${note}`,
    )
    const big = iconv.encode(`${header},备注\r\n${fresh.join('\r\n')}\r\n`, 'gb18030')
    await page
      .getByLabel(fileLabel)
      .setInputFiles({ name: 'big.csv', mimeType: 'text/csv', buffer: big })
    const answer = page.waitForResponse((r) => r.request().method() === 'POST')
    await page.getByRole('button', { name: '上传并导入' }).click()
    expect((await answer).status()).toBe(413)
    expect(await page.locator('main').innerText()).toContain('名单文件过大：最大 1024 KB')
    await page.getByRole('link', { name: '返回重新填写' }).click()
    await page.waitForURL('**/admin/enterprises/import')
    const written = await db
      .selectFrom('enterprises')
      .select('uscc')
      .where('name', 'like', `%${suffix}大`)
      .execute()
    expect(written).toEqual([])
  })
})
