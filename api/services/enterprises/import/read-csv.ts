import { CsvError, parse } from 'csv-parse/sync'
import { ListFileError } from './file-error.ts'
import type { ListTable } from './types.ts'

const saveAsUtf8 = '请用 Excel 或 WPS 打开后“另存为”→“CSV UTF-8（逗号分隔）”，或直接导入 .xlsx 文件'

/**
 * Decodes a CSV file as UTF-8, with or without a byte-order mark. Excel in a Chinese locale saves
 * "CSV" as GBK by default, so a file that is not valid UTF-8 is refused with how to re-save it
 * rather than guessed at: a wrong guess would put garbled names on public pages.
 */
export function decodeCsv(bytes: Uint8Array): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new ListFileError(`文件是 UTF-16 编码（Excel 的“Unicode 文本”），无法读取。${saveAsUtf8}`)
  }
  let text: string
  try {
    text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes)
  } catch {
    let looksGbk = false
    try {
      new TextDecoder('gb18030', { fatal: true }).decode(bytes)
      looksGbk = true
    } catch {
      // neither encoding: say only that it is not UTF-8
    }
    throw new ListFileError(
      `文件不是 UTF-8 编码${looksGbk ? '（看起来是 GBK/GB18030，Excel 中文版默认保存的“CSV”就是这种）' : ''}。${saveAsUtf8}`,
    )
  }
  const garbled = text.indexOf('\ufffd')
  if (garbled >= 0) {
    const line = text.slice(0, garbled).split('\n').length
    throw new ListFileError(
      `文件第 ${line} 行附近有乱码字符“\ufffd”：文件曾用错误的编码打开并保存过。请从原始表格重新导出，${saveAsUtf8}`,
    )
  }
  return text
}

/**
 * Rows of a CSV file. Blank lines are kept as empty rows so that row numbers match what a clerk
 * sees when the same file is opened in Excel.
 */
export function readCsv(bytes: Uint8Array): ListTable {
  const text = decodeCsv(bytes)
  let records: string[][]
  try {
    records = parse(text, { relax_column_count: true, skip_empty_lines: false, bom: true })
  } catch (error) {
    const line =
      error instanceof CsvError && typeof error.lines === 'number'
        ? `（第 ${error.lines} 行附近）`
        : ''
    throw new ListFileError(
      `CSV 格式错误${line}：引号没有成对出现，或单元格内的引号没有写成两个双引号（""）。${saveAsUtf8}`,
      { cause: error },
    )
  }
  return { rows: records.map((cells, i) => ({ number: i + 1, cells })) }
}
