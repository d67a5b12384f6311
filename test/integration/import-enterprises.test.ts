import { execFile } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import ExcelJS from 'exceljs'
import iconv from 'iconv-lite'
import type { Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import {
  importEnterpriseFile,
  type ImportOutcome,
} from '../../api/services/enterprises/import-file.ts'
import { beijingDate } from '../../api/domain/beijing-time.ts'
import type { Database } from '../../db/database.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'

const today = '2026-11-26'
const root = path.resolve(import.meta.dirname, '../..')
const header = [
  '统一社会信用代码',
  '企业名称',
  '区县',
  '行业',
  '地址',
  '认定日期',
  '有效期至',
  '状态',
  '状态变更日期',
  '变更原因',
]
type Row = [string, string, string, string, string, string, string, string, string, string]
// Credit codes with valid check characters (GB 32100-2015).
const rows: Row[] = [
  [
    '91331102MA2HK3N57E',
    '丽水市莲都区万象农贸市场有限公司',
    '莲都区',
    '集贸市场',
    '丽水市莲都区万象街道丽阳街 126 号',
    '2024-03-15',
    '2027-03-14',
    '有效',
    '',
    '',
  ],
  [
    '91331121MA2JR6PD4A',
    '青田县温溪瓯江加油站有限公司',
    '331121',
    'fuel_station',
    '青田县温溪镇 330 国道温溪段 8 号',
    '2025/6/20',
    '2028/6/19',
    '有效',
    '',
    '',
  ],
  [
    '91331122MA2E4W1T0Y',
    '缙云县壶镇好溪超市有限公司',
    '缙云县',
    '商场超市',
    '缙云县壶镇镇好溪路 58 号，"好溪"广场一楼',
    '2025年1月10日',
    '2028年1月9日',
    'active',
    '',
    '',
  ],
  [
    '92331181MA2LQ8XC3X',
    '龙泉市剑池明视眼镜店',
    '龙泉市',
    '眼镜制配',
    '龙泉市剑池街道中山东路 77 号',
    '2024-11-05',
    '2027-11-04',
    '暂停',
    '2026-08-12',
    '验光设备未按期检定，整改期间暂停认定',
  ],
  [
    '91331127MA2F7B6J96',
    '景宁畲族自治县鹤溪粮油收购站',
    '景宁畲族自治县',
    '粮食收购',
    '景宁畲族自治县鹤溪街道人民中路 15 号',
    '2023-05-18',
    '2026-05-17',
    '过期',
    '2026-05-18',
    '有效期届满',
  ],
  [
    '91331123MA2GC9L2X4',
    '遂昌县妙高金山饭店',
    '遂昌县',
    '餐饮',
    '遂昌县妙高街道北街 21 号',
    '2025-09-01',
    '2028-08-31',
    '有效',
    '',
    '',
  ],
]

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'import-enterprises-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

const csvCell = (cell: string) => (/[",\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell)

async function writeCsv(name: string, data: string[][]) {
  const file = path.join(dir, name)
  const text = [header, ...data].map((r) => r.map(csvCell).join(',')).join('\r\n')
  await writeFile(file, `\ufeff${text}\r\n`)
  return file
}

/**
 * The list as Excel and WPS on Chinese Windows save "CSV (逗号分隔)": GB18030 (GBK for these
 * names), no byte-order mark, CRLF line ends.
 */
async function writeExcelCsv(name: string, data: string[][]) {
  const file = path.join(dir, name)
  const text = [header, ...data].map((r) => r.map(csvCell).join(',')).join('\r\n')
  await writeFile(file, iconv.encode(`${text}\r\n`, 'gb18030'))
  return file
}

/** The same list as a workbook, with 认定日期 as real Excel date cells. */
async function writeXlsx(name: string, data: Row[]) {
  const workbook = new ExcelJS.Workbook()
  const sheet = workbook.addWorksheet('名单')
  sheet.addRow(header)
  for (const row of data) {
    const iso = row[5].replace(/[年月/]/g, '-').replace('日', '')
    const [y, m, d] = iso.split('-').map(Number) as [number, number, number]
    sheet.addRow([...row.slice(0, 5), new Date(Date.UTC(y, m - 1, d)), ...row.slice(6)])
  }
  sheet.getColumn(6).numFmt = 'yyyy-mm-dd'
  const file = path.join(dir, name)
  await writeFile(file, Buffer.from(await workbook.xlsx.writeBuffer()))
  return file
}

const run = (t: TestContext, file: string, dryRun = false) =>
  importEnterpriseFile({ ctx: t.deps, input: { file, today, dryRun } })

function imported(outcome: ImportOutcome) {
  if (!outcome.ok) throw new Error(JSON.stringify(outcome.problems))
  return outcome
}

async function counts(db: Kysely<Database>) {
  const count = async (table: 'enterprises' | 'certificationEvents' | 'outbox') =>
    Number(
      (
        await db
          .selectFrom(table)
          .select((eb) => eb.fn.countAll<string>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    )
  return {
    enterprises: await count('enterprises'),
    events: await count('certificationEvents'),
    outbox: await count('outbox'),
  }
}

describe('importing the bureau list', () => {
  let t: TestContext
  beforeAll(async () => {
    t = await createTestContext()
  })
  afterAll(() => t.cleanup())

  it('rejects a file with wrong rows whole, reporting each with its row number', async () => {
    const bad = rows.map((r) => [...r])
    bad[1]![0] = '91331121MA2JR6PD4B' // wrong check character, on spreadsheet row 3
    bad[2]![2] = '杭州市' // not a Lishui county, row 4
    bad.push([...rows[0]!.slice(0, 1), '莲都区另一家菜场', ...rows[0]!.slice(2)]) // row 8 repeats row 2
    const outcome = await run(t, await writeCsv('wrong.csv', bad))

    expect(outcome.ok).toBe(false)
    expect(outcome.ok ? [] : outcome.problems).toEqual([
      expect.objectContaining({
        row: 3,
        column: '统一社会信用代码',
        value: '91331121MA2JR6PD4B',
        reason: expect.stringContaining('校验位错误：第 18 位应为“A”') as string,
      }),
      expect.objectContaining({ row: 4, column: '区县', value: '杭州市' }),
      expect.objectContaining({
        row: 8,
        column: '统一社会信用代码',
        reason: expect.stringContaining('第 2 行') as string,
      }),
    ])
    expect(await counts(t.deps.db)).toEqual({ enterprises: 0, events: 0, outbox: 0 })
  })

  it('imports the corrected file in one go', async () => {
    const outcome = imported(await run(t, await writeCsv('名单.csv', rows)))
    expect(outcome.result.added).toHaveLength(6)
    expect(outcome.result).toMatchObject({ changed: [], unchanged: [] })
    // One 'certified' entry each, plus the suspension and the expiry.
    // One search message and one credit-grade recompute per business.
    expect(await counts(t.deps.db)).toEqual({ enterprises: 6, events: 8, outbox: 12 })
    const stored = await t.deps.db
      .selectFrom('certificationEvents')
      .select('source')
      .distinct()
      .execute()
    expect(stored).toEqual([{ source: 'import:名单.csv' }])
  })

  it('changes nothing when the same file is imported again', async () => {
    const before = await counts(t.deps.db)
    const outcome = imported(await run(t, path.join(dir, '名单.csv')))
    expect(outcome.result).toMatchObject({ added: [], changed: [] })
    expect(outcome.result.unchanged).toHaveLength(6)
    expect(await counts(t.deps.db)).toEqual(before)
  })

  it('records a revocation in the history and leaves one search and one grade message for it', async () => {
    const uscc = rows[0]![0]
    const revoked = rows.map((r) => [...r])
    revoked[0]!.splice(7, 3, '撤销', '2026-11-20', '专项检查发现计量器具作弊')
    const before = await counts(t.deps.db)

    const preview = imported(await run(t, await writeCsv('名单-撤销.csv', revoked), true))
    expect(preview.result.changes).toEqual([
      { uscc, fields: ['status'], statusFrom: 'active', statusTo: 'revoked' },
    ])
    expect(await counts(t.deps.db)).toEqual(before)

    const outcome = imported(await run(t, path.join(dir, '名单-撤销.csv')))
    expect(outcome.result).toMatchObject({ added: [], changed: [uscc] })
    expect(await counts(t.deps.db)).toEqual({
      enterprises: before.enterprises,
      events: before.events + 1,
      outbox: before.outbox + 2,
    })
    const history = await t.deps.db
      .selectFrom('certificationEvents')
      .select(['kind', 'occurredOn', 'reason', 'source'])
      .where('uscc', '=', uscc)
      .orderBy('id')
      .execute()
    expect(history.at(-1)).toEqual({
      kind: 'revoked',
      occurredOn: '2026-11-20',
      reason: '专项检查发现计量器具作弊',
      source: 'import:名单-撤销.csv',
    })
    const message = await t.deps.db
      .selectFrom('outbox')
      .select(['topic', 'aggregateKey'])
      .where('topic', '!=', 'credit.recompute')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow()
    expect(message).toEqual({
      topic: 'search.enterprise.changed',
      aggregateKey: `enterprise:${uscc}`,
    })
    expect(
      await t.deps.db
        .selectFrom('enterprises')
        .select(['status', 'statusSince'])
        .where('uscc', '=', uscc)
        .executeTakeFirst(),
    ).toEqual({ status: 'revoked', statusSince: '2026-11-20' })
  })
})

/** Everything stored, without generated ids and timestamps; the source keeps the file's name. */
async function contents(db: Kysely<Database>) {
  const enterprises = await db
    .selectFrom('enterprises')
    .select([
      'uscc',
      'name',
      'countyCode',
      'sectorCode',
      'address',
      'certifiedAt',
      'validUntil',
      'status',
      'statusSince',
      'isDemo',
    ])
    .orderBy('uscc')
    .execute()
  const events = await db
    .selectFrom('certificationEvents')
    .select(['uscc', 'kind', 'occurredOn', 'validUntil', 'reason', 'source'])
    .orderBy('uscc')
    .orderBy('id')
    .execute()
  return { enterprises, events }
}

describe('the same list as XLSX and as CSV', () => {
  it('gives the same database', async () => {
    const [fromXlsx, fromCsv] = await Promise.all([createTestContext(), createTestContext()])
    try {
      imported(await run(fromXlsx, await writeXlsx('名单.xlsx', rows)))
      imported(await run(fromCsv, await writeCsv('名单.csv', rows)))
      const [a, b] = await Promise.all([contents(fromXlsx.deps.db), contents(fromCsv.deps.db)])
      expect(new Set(a.events.map((e) => e.source))).toEqual(new Set(['import:名单.xlsx']))
      expect(new Set(b.events.map((e) => e.source))).toEqual(new Set(['import:名单.csv']))
      const sourceless = (c: typeof a) => ({
        ...c,
        events: c.events.map((e) => ({ ...e, source: 'import' })),
      })
      expect(a.enterprises).toHaveLength(6)
      expect(sourceless(a)).toEqual(sourceless(b))
    } finally {
      await Promise.all([fromXlsx.cleanup(), fromCsv.cleanup()])
    }
  })
})

describe('a list saved by Excel on Chinese Windows (GB18030)', () => {
  it('gives the same database as the UTF-8 file, names intact, and a re-import changes nothing', async () => {
    const [fromGb, fromUtf8] = await Promise.all([createTestContext(), createTestContext()])
    try {
      const excelFile = await writeExcelCsv('名单-excel.csv', rows)
      imported(await run(fromGb, excelFile))
      imported(await run(fromUtf8, await writeCsv('名单-excel.csv', rows)))
      const names = await fromGb.deps.db
        .selectFrom('enterprises')
        .select(['uscc', 'name', 'address'])
        .orderBy('uscc')
        .execute()
      expect(names).toContainEqual({
        uscc: '91331127MA2F7B6J96',
        name: '景宁畲族自治县鹤溪粮油收购站',
        address: '景宁畲族自治县鹤溪街道人民中路 15 号',
      })
      expect(names.map((n) => n.name).sort()).toEqual(rows.map((r) => r[1]).sort())
      const [a, b] = await Promise.all([contents(fromGb.deps.db), contents(fromUtf8.deps.db)])
      expect(a).toEqual(b)

      const before = await counts(fromGb.deps.db)
      const again = imported(await run(fromGb, excelFile))
      expect(again.result).toMatchObject({ added: [], changed: [] })
      expect(again.result.unchanged).toHaveLength(rows.length)
      expect(await counts(fromGb.deps.db)).toEqual(before)
      expect(await contents(fromGb.deps.db)).toEqual(a)
    } finally {
      await Promise.all([fromGb.cleanup(), fromUtf8.cleanup()])
    }
  })
})

describe('npm run import:enterprises', () => {
  let t: TestContext
  beforeAll(async () => {
    t = await createTestContext()
  })
  afterAll(() => t.cleanup())

  function cli(...args: string[]) {
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        ['--import', 'tsx', 'scripts/import-enterprises.ts', ...args],
        {
          cwd: root,
          env: {
            PATH: process.env.PATH ?? '',
            HOME: process.env.HOME ?? '',
            DATABASE_URL: t.databaseUrl,
            MEILI_URL: inject('meiliUrl'),
            MEILI_MASTER_KEY: inject('meiliKey'),
            MEILI_INDEX_PREFIX: t.deps.config.MEILI_INDEX_PREFIX,
          },
        },
        (error, stdout, stderr) =>
          resolve({ code: error ? (error.code as number) : 0, stdout, stderr }),
      )
    })
  }

  // The command checks against the real today, so active rows must stay valid whenever this runs.
  const current = rows.map((r): Row => {
    if (!['有效', 'active'].includes(r[7])) return r
    const day = (offset: number) => beijingDate(new Date(Date.now() + offset * 86_400_000))
    return [...r.slice(0, 5), day(-400), day(1000), ...r.slice(7)] as Row
  })

  it('dry-runs a list: exit 0, reports what it would add, writes nothing', async () => {
    const { code, stdout } = await cli(await writeCsv('dry-run.csv', current), '--dry-run')
    expect(stdout).toContain('试运行')
    expect(stdout).toContain('将新增 6 家')
    expect(code).toBe(0)
    expect(await counts(t.deps.db)).toEqual({ enterprises: 0, events: 0, outbox: 0 })
  })

  it('exits 1 and prints every wrong row as 第 N 行 · 列名 · 值 · 原因', async () => {
    const bad = current.map((r) => [...r])
    bad[1]![0] = '91331121MA2JR6PD4B'
    const { code, stdout } = await cli(await writeCsv('wrong-cli.csv', bad))
    expect(code).toBe(1)
    expect(stdout).toContain('第 3 行 · 统一社会信用代码 · 91331121MA2JR6PD4B · 校验位错误')
    expect(await counts(t.deps.db)).toEqual({ enterprises: 0, events: 0, outbox: 0 })
  })

  it('imports a list Excel saved as GB18030, names intact; a second run changes nothing', async () => {
    const file = await writeExcelCsv('excel-cli.csv', current)
    const first = await cli(file)
    expect(first.stdout).toContain('新增 6 家')
    expect(first.code).toBe(0)
    const stored = await t.deps.db.selectFrom('enterprises').select('name').execute()
    expect(stored.map((e) => e.name).sort()).toEqual(current.map((r) => r[1]).sort())
    const before = await counts(t.deps.db)
    const second = await cli(file)
    expect(second.code).toBe(0)
    expect(second.stdout).toContain('数据库已与名单一致，没有任何改动。')
    expect(await counts(t.deps.db)).toEqual(before)
  })

  it('exits 2 with the usage when the file is missing', async () => {
    const { code, stderr } = await cli('没有这个文件.csv')
    expect(code).toBe(2)
    expect(stderr).toContain('找不到名单文件')
    expect(stderr).toContain('用法：npm run import:enterprises -- 文件 [--dry-run]')
  })
})
