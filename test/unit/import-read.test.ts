import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import ExcelJS from 'exceljs'
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

  it('refuses a GBK file and says how to save it as UTF-8', async () => {
    // 统一社会信用代码,企业名称 as Excel in a Chinese locale saves it.
    const gbk = Buffer.from('cdb3d2bbc9e7bbe1d0c5d3c3b4fac2eb2cc6f3d2b5c3fbb3c60a', 'hex')
    const message = await readError(await fileWith('gbk.csv', gbk))
    expect(message).toContain('不是 UTF-8 编码')
    expect(message).toContain('GBK')
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
