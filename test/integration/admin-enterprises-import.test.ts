import { randomBytes } from 'node:crypto'
import iconv from 'iconv-lite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { usccAlphabet, usccCheckCharacter } from '../../api/domain/uscc.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { signedInOperator, type TestOperator } from '../support/operators.ts'

let t: TestContext
let app: ReturnType<typeof createApp>
let admin: TestOperator

beforeAll(async () => {
  t = await createTestContext()
  app = createApp(t.deps)
  admin = await signedInOperator(t.deps, 'city_admin')
})
afterAll(() => t.cleanup())

const header = '统一社会信用代码,企业名称,区县,行业,地址,认定日期,有效期至,状态'

function uscc(prefix: string) {
  let body = prefix
  for (const byte of randomBytes(18 - prefix.length - 1)) {
    body += usccAlphabet.charAt(byte % usccAlphabet.length)
  }
  return body + usccCheckCharacter(body)
}

/** Three businesses whose names and addresses need Chinese characters GBK encodes in two bytes. */
const list = [
  [uscc('91331127'), '景宁畲族自治县鹤溪镇畲乡粮油店', '景宁畲族自治县', '粮食收购'],
  [uscc('91331102'), '丽水市莲都区万象农贸市场（东区）有限公司', '莲都区', '集贸市场'],
  [uscc('92331181'), '龙泉市剑池明视眼镜店', '龙泉市', '眼镜制配'],
].map(([code, name, county, sector]) => [
  code ?? '',
  name ?? '',
  county ?? '',
  sector ?? '',
  `${county ?? ''}人民中路 15 号，一楼`,
  '2024-01-10',
  '2030-01-09',
  '有效',
])

/** The list as Excel and WPS on Chinese Windows save "CSV (逗号分隔)": GB18030, no BOM, CRLF. */
const excelCsv = (rows: string[][]) =>
  iconv.encode(`${[header, ...rows.map((r) => r.join(','))].join('\r\n')}\r\n`, 'gb18030')

async function upload(
  bytes: Uint8Array,
  options: { name?: string; dryRun?: boolean; who?: TestOperator; headers?: HeadersInit } = {},
) {
  const form = new FormData()
  form.set('file', new File([Buffer.from(bytes)], options.name ?? '名单.csv', { type: 'text/csv' }))
  if (options.dryRun) form.set('dryRun', 'true')
  const res = await app.request('/api/admin/enterprises/import', {
    method: 'POST',
    headers: options.headers ?? (options.who ?? admin).headers,
    body: form,
  })
  return { status: res.status, json: (await res.json()) as Record<string, unknown> }
}

const stored = () =>
  t.deps.db
    .selectFrom('enterprises')
    .select(['uscc', 'name', 'address'])
    .where(
      'uscc',
      'in',
      list.map((r) => r[0] ?? ''),
    )
    .orderBy('uscc')
    .execute()

const historyCount = async () =>
  Number(
    (
      await t.deps.db
        .selectFrom('certificationEvents')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  )

describe("the console's list upload", () => {
  it('refuses anyone but a city administrator, and a request without the CSRF token', async () => {
    const handler = await signedInOperator(t.deps, 'county_handler', '331102')
    expect((await upload(excelCsv(list), { who: handler })).status).toBe(403)
    expect(
      (await upload(excelCsv(list), { headers: { cookie: admin.headers.cookie } })).status,
    ).toBe(403)
    expect((await upload(excelCsv(list), { headers: {} })).status).toBe(401)
    expect(await stored()).toEqual([])
  })

  it('imports a list Excel saved as GB18030 with names intact; uploading it again changes nothing', async () => {
    const bytes = excelCsv(list)
    const dry = await upload(bytes, { dryRun: true })
    expect(dry.status).toBe(200)
    expect(dry.json).toMatchObject({ dryRun: true, rowCount: 3 })
    expect(await stored()).toEqual([])

    const first = await upload(bytes, { name: 'C:\\名单\\诚信计量单位.csv' })
    expect(first.status).toBe(200)
    expect(first.json).toMatchObject({ dryRun: false, rowCount: 3, changed: [], unchanged: 0 })
    expect(first.json.added).toHaveLength(3)
    const names = await stored()
    expect(names.map((n) => [n.uscc, n.name, n.address])).toEqual(
      list.map((r) => [r[0], r[1], r[4]]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    )

    const events = await historyCount()
    const second = await upload(bytes, { name: '诚信计量单位.csv' })
    expect(second.status).toBe(200)
    expect(second.json).toMatchObject({ added: [], changed: [], unchanged: 3 })
    expect(await stored()).toEqual(names)
    expect(await historyCount()).toBe(events)

    const audit = await t.deps.db
      .selectFrom('auditLog')
      .select(['action', 'username', 'detail'])
      .where('action', '=', 'enterprise.imported')
      .orderBy('id')
      .execute()
    expect(audit).toHaveLength(2)
    expect(audit[0]).toMatchObject({
      username: admin.operator.username,
      detail: { file: '诚信计量单位.csv', rows: 3, added: 3, changed: 0, unchanged: 0 },
    })
  })

  it('answers every wrong row and writes nothing', async () => {
    const wrong = list.map((r) => [...r])
    wrong[0]![0] = uscc('91331102')
    wrong[1]![2] = '杭州市'
    wrong[2]![0] = uscc('91331102')
    const before = await historyCount()
    const res = await upload(excelCsv(wrong))
    expect(res.status).toBe(400)
    const error = res.json.error as { code: string; message: string; details: unknown[] }
    expect(error.code).toBe('VALIDATION_FAILED')
    expect(error.message).toContain('没有写入任何数据')
    expect(error.details).toEqual([
      expect.objectContaining({ row: 3, column: '区县', value: '杭州市' }),
    ])
    expect(await historyCount()).toBe(before)
  })

  it('refuses lists over the body limit with 413 and a Chinese message, a burst of them at once', async () => {
    // A valid list padded past the limit (1 MiB) with an ignored column: only its size is wrong.
    const padding = 'x'.repeat(t.deps.config.BODY_LIMIT_BYTES + 1)
    const big = Buffer.concat([excelCsv(list), Buffer.from(`备注\r\n${padding}\r\n`)])
    const before = await historyCount()
    const answers = await Promise.all(Array.from({ length: 5 }, () => upload(big)))
    expect(answers.map((a) => a.status)).toEqual([413, 413, 413, 413, 413])
    expect((answers[0]?.json.error as { message: string }).message).toContain(
      '名单文件过大：最大 1024 KB',
    )
    expect(await historyCount()).toBe(before)
  })

  it('refuses a file that is neither UTF-8 nor GB18030 with what to do', async () => {
    const bytes = Buffer.concat([Buffer.from(`${header}\r\n`, 'utf8'), Buffer.from([0xff, 0x81])])
    const res = await upload(bytes)
    expect(res.status).toBe(400)
    expect((res.json.error as { message: string }).message).toContain('既不是 UTF-8，也不是')
  })
})
