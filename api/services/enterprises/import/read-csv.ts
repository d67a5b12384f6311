import { CsvError, parse } from 'csv-parse/sync'
import { ListFileError } from './file-error.ts'
import type { ListTable } from './types.ts'

const saveAs =
  '请用 Excel 或 WPS 打开后“另存为”→“CSV UTF-8（逗号分隔）”或“CSV（逗号分隔）”，或直接导入 .xlsx 文件'

/** Decodes `bytes` strictly, or answers undefined when they are not valid in that encoding. */
function strictly(encoding: 'utf-8' | 'gb18030', bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes)
  } catch {
    return undefined
  }
}

/**
 * Decodes a CSV file. Excel and WPS on Chinese Windows save "CSV (逗号分隔)" as GB18030 (GBK)
 * without a byte-order mark, which is what the bureau's staff will hand us every time (issue 20),
 * so both encodings are read. UTF-8 is tried first: it is what "CSV UTF-8" and every other tool
 * write, and Chinese text in GB18030 is practically never also valid UTF-8, whereas most UTF-8
 * text is valid GB18030 and would be garbled by the wrong choice. Both decoders are strict, so a
 * file in neither encoding is refused rather than guessed at: a wrong guess would put garbled
 * names on public pages.
 */
function decodeCsv(bytes: Uint8Array): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new ListFileError(`文件是 UTF-16 编码（Excel 的“Unicode 文本”），无法读取。${saveAs}`)
  }
  // TextDecoder drops a UTF-8 byte-order mark; GB18030 has none.
  const text = strictly('utf-8', bytes) ?? strictly('gb18030', bytes)
  if (text === undefined) {
    throw new ListFileError(
      `文件编码无法识别：既不是 UTF-8，也不是 Excel 中文版“CSV（逗号分隔）”使用的 GB18030/GBK，可能已损坏或是其他编码（如 Big5）。${saveAs}`,
    )
  }
  const garbled = text.indexOf('\ufffd')
  if (garbled >= 0) {
    const line = text.slice(0, garbled).split('\n').length
    throw new ListFileError(
      `文件第 ${line} 行附近有乱码字符“\ufffd”：文件曾用错误的编码打开并保存过。请从原始表格重新导出，${saveAs}`,
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
      `CSV 格式错误${line}：引号没有成对出现，或单元格内的引号没有写成两个双引号（""）。${saveAs}`,
      { cause: error },
    )
  }
  return { rows: records.map((cells, i) => ({ number: i + 1, cells })) }
}
