import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { checkEnterpriseList } from '../../api/services/enterprises/import/validate.ts'
import type { ListTable, ReferenceData } from '../../api/services/enterprises/import/types.ts'
import { usccAlphabet, usccCheckCharacter } from '../../api/domain/uscc.ts'

// The same codes and names the directory migration stores (the service reads them from there).
const reference: ReferenceData = {
  counties: [
    { code: '331100', name: '丽水市本级' },
    { code: '331102', name: '莲都区' },
    { code: '331121', name: '青田县' },
    { code: '331122', name: '缙云县' },
    { code: '331123', name: '遂昌县' },
    { code: '331124', name: '松阳县' },
    { code: '331125', name: '云和县' },
    { code: '331126', name: '庆元县' },
    { code: '331127', name: '景宁畲族自治县' },
    { code: '331181', name: '龙泉市' },
  ],
  sectors: [
    { code: 'market', name: '集贸市场' },
    { code: 'supermarket', name: '商场超市' },
    { code: 'fuel_station', name: '加油站' },
    { code: 'optical', name: '眼镜制配' },
    { code: 'catering', name: '餐饮' },
  ],
  today: '2026-11-26',
}

const headers = [
  '统一社会信用代码',
  '企业名称',
  '区县',
  '行业',
  '地址',
  '认定日期',
  '有效期至',
  '状态',
]
const code = (body17: string) => body17 + usccCheckCharacter(body17)
const good = {
  uscc: code('91331102MA2E8C6Q7'),
  name: '莲都区万象菜场',
  county: '莲都区',
  sector: '集贸市场',
  address: '丽水市莲都区万象街道解放街 88 号',
  certifiedAt: '2024-05-20',
  validUntil: '2027-05-19',
  status: '有效',
}
type Row = typeof good
const cells = (r: Row) => [
  r.uscc,
  r.name,
  r.county,
  r.sector,
  r.address,
  r.certifiedAt,
  r.validUntil,
  r.status,
]

/** A table as a reader produces it: header on row 1, then the given rows. */
const table = (rows: string[][], header = headers): ListTable => ({
  rows: [header, ...rows].map((c, i) => ({ number: i + 1, cells: c })),
})
// Each row gets a credit code of its own unless the test gives one.
const codeFor = (i: number) => code(`91331102MA2E8C6Q${usccAlphabet[(7 + i) % 31]!}`)
const check = (rows: Partial<Row>[]) =>
  checkEnterpriseList(
    table(rows.map((r, i) => cells({ ...good, uscc: codeFor(i), ...r }))),
    reference,
  )

describe('a valid list', () => {
  it('becomes records with codes the database uses', () => {
    const result = check([{}])
    expect(result.problems).toEqual([])
    expect(result.records).toEqual([
      {
        uscc: good.uscc,
        name: good.name,
        countyCode: '331102',
        sectorCode: 'market',
        address: good.address,
        certifiedAt: '2024-05-20',
        validUntil: '2027-05-19',
        status: 'active',
        statusSince: undefined,
        reason: undefined,
      },
    ])
  })

  it('accepts the English header aliases in any case, with spaces around them', () => {
    const english = [
      ' USCC',
      'Name',
      'county ',
      'SECTOR',
      'Address',
      'Certified_At',
      'valid_until',
      'Status',
    ]
    const result = checkEnterpriseList(table([cells(good)], english), reference)
    expect(result.problems).toEqual([])
    expect(result.records[0]).toMatchObject({ countyCode: '331102', status: 'active' })
  })

  it('accepts counties, sectors and statuses by Chinese name or by code', () => {
    const result = check([
      { county: '331181', sector: 'fuel_station', status: 'active' },
      { uscc: code('91331121MA2E8C6Q7'), county: '丽水市青田县', sector: '加油站', status: '暂停' },
      { uscc: code('91331122MA2E8C6Q7'), county: '缙云县', sector: 'Optical', status: 'Revoked' },
      { uscc: code('91331123MA2E8C6Q7'), status: '过期', validUntil: '2026-05-19' },
    ])
    expect(result.problems).toEqual([])
    expect(result.records.map((r) => [r.countyCode, r.sectorCode, r.status])).toEqual([
      ['331181', 'fuel_station', 'active'],
      ['331121', 'fuel_station', 'suspended'],
      ['331122', 'optical', 'revoked'],
      ['331102', 'market', 'expired'],
    ])
  })

  it('reads a code written in lower case, with spaces or in full-width letters', () => {
    const spaced = ` ${good.uscc.slice(0, 8).toLowerCase()} ${good.uscc.slice(8)} `
    const result = check([{ uscc: spaced }])
    expect(result.problems).toEqual([])
    expect(result.records[0]?.uscc).toBe(good.uscc)
  })

  it('reads the optional status date and reason columns', () => {
    const result = checkEnterpriseList(
      table(
        [[...cells({ ...good, status: '撤销' }), '2025/3/1', '计量器具作弊']],
        [...headers, '状态变更日期', '变更原因'],
      ),
      reference,
    )
    expect(result.problems).toEqual([])
    expect(result.records[0]).toMatchObject({ statusSince: '2025-03-01', reason: '计量器具作弊' })
  })

  it('finds the header under a title row and keeps the spreadsheet row numbers', () => {
    const rows = [
      ['丽水市诚信计量示范单位名单'],
      headers,
      cells(good),
      [],
      cells({ ...good, uscc: codeFor(1), name: '' }),
    ]
    const result = checkEnterpriseList(
      { rows: rows.map((c, i) => ({ number: i + 1, cells: c })) },
      reference,
    )
    expect(result.rowCount).toBe(2)
    expect(result.problems).toMatchObject([{ row: 5, column: '企业名称' }])
  })
})

describe('the credit code (GB 32100-2015)', () => {
  it('names the check character that was expected', () => {
    const wrong = good.uscc.slice(0, 17) + (good.uscc.endsWith('0') ? '1' : '0')
    const result = check([{ uscc: wrong }])
    expect(result.problems).toEqual([
      {
        row: 2,
        column: '统一社会信用代码',
        value: wrong,
        reason: expect.stringContaining(`第 18 位应为“${good.uscc[17]!}”`) as string,
      },
    ])
    expect(result.records).toEqual([])
  })

  it('says when the length or a character is wrong', () => {
    const result = check([
      { uscc: good.uscc.slice(0, 17) },
      { uscc: `${good.uscc.slice(0, 10)}I${good.uscc.slice(11)}` },
      { uscc: '' },
      { uscc: '9.13311E+17' },
    ])
    expect(result.problems.map((p) => [p.row, p.reason.split('。')[0]])).toEqual([
      [2, '应为 18 位，实际 17 位'],
      [3, expect.stringContaining('第 11 位“I”不是有效字符')],
      [4, '必填：请填写 18 位统一社会信用代码'],
      [5, expect.stringContaining('科学计数法')],
    ])
  })

  it('reports a code used twice with both row numbers', () => {
    const result = check([{}, {}, { name: '另一家', uscc: good.uscc }])
    expect(result.problems).toHaveLength(1)
    expect(result.problems[0]).toMatchObject({ row: 4, column: '统一社会信用代码' })
    expect(result.problems[0]?.reason).toContain('第 2 行')
  })
})

describe('county, sector and status', () => {
  it('rejects an unknown county and lists the ones it knows', () => {
    const [problem] = check([{ county: '杭州市' }]).problems
    expect(problem).toMatchObject({ row: 2, column: '区县', value: '杭州市' })
    expect(problem?.reason).toContain('莲都区')
    expect(problem?.reason).toContain('331102')
  })

  it('rejects an unknown sector and lists the ones it knows', () => {
    const [problem] = check([{ sector: '菜市场' }]).problems
    expect(problem).toMatchObject({ row: 2, column: '行业', value: '菜市场' })
    expect(problem?.reason).toContain('集贸市场')
  })

  it('rejects a status that is not one of the four', () => {
    const [problem] = check([{ status: '正常' }]).problems
    expect(problem).toMatchObject({ column: '状态', value: '正常' })
    expect(problem?.reason).toContain('有效、暂停、撤销 或 过期')
  })
})

describe('dates', () => {
  it('accepts YYYY-MM-DD, YYYY/M/D and YYYY年M月D日', () => {
    const result = check([{ certifiedAt: '2024/5/20', validUntil: '2027年5月19日' }])
    expect(result.problems).toEqual([])
    expect(result.records[0]).toMatchObject({ certifiedAt: '2024-05-20', validUntil: '2027-05-19' })
  })

  it('rejects a day that does not exist', () => {
    const [problem] = check([{ validUntil: '2026-02-30' }]).problems
    expect(problem).toMatchObject({ row: 2, column: '有效期至', value: '2026-02-30' })
    expect(problem?.reason).toContain('2026 年 2 月只有 28 天')
  })

  it('rejects text that is not a date, and says which forms work', () => {
    const problems = check([{ certifiedAt: '去年五月' }, { certifiedAt: '45432' }]).problems
    expect(problems[0]?.reason).toContain('2024-05-20、2024/5/20 或 2024年5月20日')
    expect(problems[1]?.reason).toContain('Excel 的日期序号')
  })

  it('rejects a validity that ends before the certification', () => {
    const [problem] = check([{ certifiedAt: '2024-05-20', validUntil: '2024-05-19' }]).problems
    expect(problem).toMatchObject({ row: 2, column: '有效期至' })
    expect(problem?.reason).toContain('早于认定日期')
  })

  it('rejects a certification dated after today', () => {
    const [problem] = check([{ certifiedAt: '2026-11-27' }]).problems
    expect(problem).toMatchObject({ column: '认定日期' })
  })

  it('rejects an active certification whose validity has already ended', () => {
    const [problem] = check([{ certifiedAt: '2022-01-01', validUntil: '2025-12-31' }]).problems
    expect(problem).toMatchObject({ column: '有效期至' })
    expect(problem?.reason).toContain('请改为“过期”')
  })
})

describe('text and layout', () => {
  it('requires a name and an address within the database limits', () => {
    const problems = check([
      { name: '  ' },
      { address: '路'.repeat(501) },
      { name: '店'.repeat(201) },
    ]).problems
    expect(problems.map((p) => [p.row, p.column])).toEqual([
      [2, '企业名称'],
      [3, '地址'],
      [4, '企业名称'],
    ])
    expect(problems[1]?.reason).toContain('最多 500 个字')
  })

  it('reports a missing required header once, naming it', () => {
    const without = headers.filter((h) => h !== '行业')
    const result = checkEnterpriseList(
      table([cells(good).slice(0, 7), cells(good).slice(0, 7)], without),
      reference,
    )
    expect(result.problems).toEqual([
      {
        row: 1,
        column: '行业',
        value: '',
        reason: expect.stringContaining('缺少必需的列“行业”') as string,
      },
    ])
  })

  it('uses the header text as written in the file as the column', () => {
    const english = [
      'uscc',
      'Name',
      'county',
      'sector',
      'address',
      'certified_at',
      'valid_until',
      'status',
    ]
    const [problem] = checkEnterpriseList(
      table([cells({ ...good, name: '' })], english),
      reference,
    ).problems
    expect(problem).toMatchObject({ row: 2, column: 'Name' })
  })

  it('reports a cell to the right of the last header (an address split by a comma)', () => {
    const [problem] = checkEnterpriseList(table([[...cells(good), '2号楼']]), reference).problems
    expect(problem).toMatchObject({ row: 2, column: '第 9 列（无表头）', value: '2号楼' })
  })

  it('ignores unknown columns and names them', () => {
    const result = checkEnterpriseList(
      table([['1', ...cells(good)]], ['序号', ...headers]),
      reference,
    )
    expect(result.problems).toEqual([])
    expect(result.ignoredColumns).toEqual(['序号'])
  })
})

describe('properties', () => {
  const day = (offset: number) =>
    new Date(Date.UTC(2015, 0, 1) + offset * 86_400_000).toISOString().slice(0, 10)
  const written = (iso: string, form: number) => {
    const [y, m, d] = iso.split('-').map(Number) as [number, number, number]
    return [iso, `${y}/${m}/${d}`, `${y}年${m}月${d}日`][form]!
  }
  const validRow = fc
    .record({
      county: fc.constantFrom(...reference.counties),
      sector: fc.constantFrom(...reference.sectors),
      byCode: fc.boolean(),
      body: fc.array(fc.constantFrom(...usccAlphabet.split('')), { minLength: 9, maxLength: 9 }),
      name: fc.string({
        unit: fc.constantFrom(...'丽水莲都青田万象菜场超市加油站眼镜'.split('')),
        minLength: 1,
        maxLength: 200,
      }),
      certified: fc.integer({ min: 0, max: 4345 }),
      length: fc.integer({ min: 0, max: 3000 }),
      status: fc.constantFrom(
        '有效',
        '暂停',
        '撤销',
        '过期',
        'active',
        'suspended',
        'revoked',
        'expired',
      ),
      forms: fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 2 })),
    })
    .map((g) => {
      const certifiedAt = day(g.certified)
      // An active certification must still be valid today; any other may have ended.
      const end = day(g.certified + g.length)
      const validUntil = /有效|active/.test(g.status) && end < reference.today ? '2029-12-31' : end
      return {
        uscc: code(`91${g.county.code}${g.body.join('')}`),
        name: g.name,
        county: g.byCode ? g.county.code : g.county.name,
        sector: g.byCode ? g.sector.code : g.sector.name,
        address: `丽水市${g.county.name}人民路 1 号`,
        certifiedAt: written(certifiedAt, g.forms[0]),
        validUntil: written(validUntil, g.forms[1]),
        status: g.status,
      }
    })

  it('a generated valid row always passes', () => {
    fc.assert(
      fc.property(validRow, (row) => {
        const result = check([row])
        expect(result.problems).toEqual([])
        expect(result.records).toHaveLength(1)
      }),
    )
  })

  it('a corrupted check character is always caught', () => {
    fc.assert(
      fc.property(validRow, fc.constantFrom(...usccAlphabet.split('')), (row, replacement) => {
        fc.pre(replacement !== row.uscc[17])
        const result = check([{ ...row, uscc: row.uscc.slice(0, 17) + replacement }])
        expect(result.records).toEqual([])
        expect(result.problems).toEqual([
          expect.objectContaining({
            row: 2,
            column: '统一社会信用代码',
            reason: expect.stringContaining('校验位') as string,
          }),
        ])
      }),
    )
  })
})
