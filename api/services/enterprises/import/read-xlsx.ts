import ExcelJS from 'exceljs'
import { ListFileError } from './file-error.ts'
import type { ListTable } from './types.ts'

type CellValue = ExcelJS.CellValue

const pad = (n: number) => String(n).padStart(2, '0')

// exceljs turns a date cell into the UTC midnight of that calendar day, whatever the machine's zone.
const dayOf = (d: Date) =>
  `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`

/** A cell as the text a clerk sees in it: dates as 'YYYY-MM-DD', formulas as their result. */
function cellText(value: CellValue): string {
  if (value === null || value === undefined) return ''
  if (value instanceof Date) return dayOf(value)
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  if ('richText' in value) return value.richText.map((r) => r.text).join('')
  if ('error' in value) return value.error
  if ('hyperlink' in value) return value.text
  return cellText(value.result)
}

/** Rows of the first worksheet, numbered as Excel numbers them. */
export async function readXlsx(bytes: Uint8Array): Promise<ListTable> {
  const workbook = new ExcelJS.Workbook()
  try {
    await workbook.xlsx.load(bytes as unknown as ArrayBuffer)
  } catch (error) {
    throw new ListFileError(
      '无法作为 Excel（.xlsx）文件读取：文件可能已损坏，或是改了扩展名的其他文件。请用 Excel 或 WPS 打开后重新“另存为” .xlsx',
      { cause: error },
    )
  }
  const sheet = workbook.worksheets[0]
  if (!sheet) throw new ListFileError('Excel 文件里没有工作表。请把名单放在第一个工作表中')
  const rows: ListTable['rows'] = []
  sheet.eachRow({ includeEmpty: false }, (row, number) => {
    const cells: string[] = []
    for (let col = 1; col <= row.cellCount; col++) cells.push(cellText(row.getCell(col).value))
    rows.push({ number, cells })
  })
  return { rows }
}
