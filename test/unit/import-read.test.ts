import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import ExcelJS from 'exceljs'
import iconv from 'iconv-lite'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ListFileError } from '../../api/services/enterprises/import/file-error.ts'
import { readEnterpriseList } from '../../api/services/enterprises/import/read-file.ts'
import { checkEnterpriseList } from '../../api/services/enterprises/import/validate.ts'

let dir: string
beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'import-read-'))
})
afterAll(() => rm(dir, { recursive: true, force: true }))

async function fileWith(name: string, bytes: Uint8Array | string) {
  const file = path.join(dir, name)
  await writeFile(file, bytes)
  return file
}

const readError = async (file: string) => {
  const error = await readEnterpriseList(file).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ListFileError)
  return (error as ListFileError).message
}

describe('CSV', () => {
  it('reads UTF-8 with a byte-order mark, keeping blank lines in the row numbering', async () => {
    const file = await fileWith('bom.csv', '\ufeff统一社会信用代码,企业名称\n\n"A,1",乙\n')
    const table = await readEnterpriseList(file)
    expect(table.rows).toEqual([
      { number: 1, cells: ['统一社会信用代码', '企业名称'] },
      { number: 2, cells: [''] },
      { number: 3, cells: ['A,1', '乙'] },
    ])
  })

  it('reads UTF-8 without a byte-order mark, with Windows line ends', async () => {
    const table = await readEnterpriseList(
      await fileWith('plain.csv', '区县,行业\r\n莲都区,加油站\r\n'),
    )
    expect(table.rows[1]).toEqual({ number: 2, cells: ['莲都区', '加油站'] })
  })

  it('reads the GBK bytes Excel writes for the header row', async () => {
    // 统一社会信用代码,企业名称 as Excel in a Chinese locale saves it, from the GBK code table.
    const gbk = Buffer.from('cdb3d2bbc9e7bbe1d0c5d3c3b4fac2eb2cc6f3d2b5c3fbb3c60d0a', 'hex')
    const table = await readEnterpriseList(await fileWith('gbk.csv', gbk))
    expect(table.rows).toEqual([{ number: 1, cells: ['统一社会信用代码', '企业名称'] }])
  })

  it('reads a GB18030 file saved as Excel saves "CSV (逗号分隔)" exactly as its UTF-8 twin', async () => {
    // No byte-order mark, CRLF line ends, quoted cells with commas, and names that need
    // GB18030's four-byte forms (䶮 is in CJK Extension A, 𠀀 outside the BMP) beside GBK ones.
    const text = [
      '统一社会信用代码,企业名称,区县,地址',
      '91331127MA2A0B1C2D,景宁畲族自治县鹤溪镇䶮记𠀀粮油店,景宁畲族自治县,"鹤溪街道人民中路 1 号（东侧）,一楼"',
      '91331102MA2HK3N57E,丽水市莲都区万象农贸市场有限公司,莲都区,丽阳街 126 号·B 区',
      '',
    ].join('\r\n')
    const excel = iconv.encode(text, 'gb18030')
    expect(excel.subarray(0, 3)).not.toEqual(Buffer.from([0xef, 0xbb, 0xbf]))
    expect(() => new TextDecoder('utf-8', { fatal: true }).decode(excel)).toThrow()
    const fromGb = await readEnterpriseList(await fileWith('excel-gb18030.csv', excel))
    const fromUtf8 = await readEnterpriseList(await fileWith('utf8.csv', `\ufeff${text}`))
    expect(fromGb).toEqual(fromUtf8)
    expect(fromGb.rows[1]?.cells[1]).toBe('景宁畲族自治县鹤溪镇䶮记𠀀粮油店')
    expect(fromGb.rows[1]?.cells[3]).toBe('鹤溪街道人民中路 1 号（东侧）,一楼')
  })

  it('refuses a file that is neither UTF-8 nor GB18030, saying which encodings it reads', async () => {
    // 0xFF never starts a GB18030 character, and a lead byte at the end has no second byte.
    const bytes = Buffer.concat([Buffer.from('企业名称\r\n', 'utf8'), Buffer.from([0xff, 0x81])])
    const message = await readError(await fileWith('neither.csv', bytes))
    expect(message).toContain('既不是 UTF-8，也不是')
    expect(message).toContain('GB18030')
    expect(message).toContain('CSV UTF-8')
  })

  it('refuses a file that already holds replacement characters from a wrong re-save', async () => {
    const message = await readError(await fileWith('garbled.csv', '企业名称\n\ufffd\ufffd菜场\n'))
    expect(message).toContain('第 2 行附近有乱码')
  })

  it('refuses UTF-16 text', async () => {
    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('企业名称\n', 'utf16le')])
    expect(await readError(await fileWith('utf16.csv', utf16))).toContain('UTF-16')
  })

  it('points at an unclosed quote', async () => {
    const message = await readError(
      await fileWith('quote.csv', '企业名称,地址\n"万象菜场,解放街\n'),
    )
    expect(message).toContain('CSV 格式错误')
  })
})

describe('XLSX', () => {
  it('reads the first worksheet: date cells, text dates, rich text and formulas as text', async () => {
    const workbook = new ExcelJS.Workbook()
    const sheet = workbook.addWorksheet('名单')
    workbook.addWorksheet('说明').addRow(['这一页不会被读取'])
    sheet.addRow(['丽水市诚信计量单位名单'])
    sheet.addRow(['企业名称', '认定日期', '有效期至', '序号'])
    sheet.addRow([
      { richText: [{ text: '万象' }, { text: '菜场' }] },
      new Date(Date.UTC(2024, 4, 20)),
      '2027年5月19日',
      { formula: '1+1', result: 2 },
    ])
    sheet.addRow([])
    sheet.addRow(['好溪超市', new Date(Date.UTC(2024, 1, 29)), '2027/2/28', 3])
    const file = await fileWith('list.xlsx', Buffer.from(await workbook.xlsx.writeBuffer()))

    const table = await readEnterpriseList(file)
    expect(table.rows).toEqual([
      { number: 1, cells: ['丽水市诚信计量单位名单'] },
      { number: 2, cells: ['企业名称', '认定日期', '有效期至', '序号'] },
      { number: 3, cells: ['万象菜场', '2024-05-20', '2027年5月19日', '2'] },
      { number: 5, cells: ['好溪超市', '2024-02-29', '2027/2/28', '3'] },
    ])
  })

  it('tells the format from the content, not the name', async () => {
    const workbook = new ExcelJS.Workbook()
    workbook.addWorksheet('名单').addRow(['企业名称'])
    const file = await fileWith(
      'really-a-workbook.csv',
      Buffer.from(await workbook.xlsx.writeBuffer()),
    )
    expect((await readEnterpriseList(file)).rows).toEqual([{ number: 1, cells: ['企业名称'] }])
  })

  it('asks for .xlsx when given an old .xls workbook', async () => {
    const xls = Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0])
    expect(await readError(await fileWith('old.xls', xls))).toContain('旧版 Excel（.xls）')
  })

  it('says when a workbook is damaged', async () => {
    const broken = Buffer.from([0x50, 0x4b, 0x03, 0x04, 1, 2, 3])
    expect(await readError(await fileWith('broken.xlsx', broken))).toContain('无法作为 Excel')
  })
})

describe('the file itself', () => {
  it('says when it is missing or empty', async () => {
    expect(await readError(path.join(dir, 'nope.csv'))).toContain('找不到文件')
    expect(await readError(await fileWith('empty.csv', ''))).toContain('文件是空的')
  })
})

describe('the README sample', () => {
  it('reads and passes every check', async () => {
    const table = await readEnterpriseList(
      path.resolve(import.meta.dirname, '../../content/samples/enterprises-sample.csv'),
    )
    const result = checkEnterpriseList(table, {
      counties: [
        { code: '331102', name: '莲都区' },
        { code: '331121', name: '青田县' },
        { code: '331122', name: '缙云县' },
        { code: '331127', name: '景宁畲族自治县' },
        { code: '331181', name: '龙泉市' },
      ],
      sectors: [
        { code: 'market', name: '集贸市场' },
        { code: 'fuel_station', name: '加油站' },
        { code: 'supermarket', name: '商场超市' },
        { code: 'optical', name: '眼镜制配' },
        { code: 'grain', name: '粮食收购' },
      ],
      today: '2026-11-26',
    })
    expect(result.problems).toEqual([])
    expect(result.records).toHaveLength(5)
  })
})
