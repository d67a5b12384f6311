import { readFile } from 'node:fs/promises'
import { ListFileError } from './file-error.ts'
import { readCsv } from './read-csv.ts'
import { readXlsx } from './read-xlsx.ts'
import type { ListTable } from './types.ts'

const startsWith = (bytes: Uint8Array, magic: readonly number[]) =>
  magic.every((b, i) => bytes[i] === b)

/**
 * Reads a CSV or XLSX list into rows of text. The format is told from the content, not the
 * name, because "名单.csv" that is really a workbook (or the reverse) is common.
 */
export async function readEnterpriseList(file: string): Promise<ListTable> {
  let bytes: Buffer
  try {
    bytes = await readFile(file)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    throw new ListFileError(
      code === 'ENOENT'
        ? `找不到文件：${file}。请检查路径和文件名`
        : code === 'EISDIR'
          ? `${file} 是一个文件夹，请给出名单文件本身`
          : `无法读取文件 ${file}（${code ?? String(error)}）`,
      { cause: error },
    )
  }
  if (bytes.length === 0) throw new ListFileError(`文件是空的：${file}`)
  return readEnterpriseListBytes(bytes)
}

/**
 * Reads a list from its bytes, as uploaded in the console or read from disk by the command, so
 * both read a file the same way.
 */
export async function readEnterpriseListBytes(bytes: Uint8Array): Promise<ListTable> {
  if (bytes.length === 0) throw new ListFileError('文件是空的：请选择填好的名单文件')
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0])) {
    throw new ListFileError(
      '这是旧版 Excel（.xls）文件，无法直接读取。请在 Excel 或 WPS 中“另存为” .xlsx 或“CSV UTF-8（逗号分隔）”',
    )
  }
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return readXlsx(bytes)
  return readCsv(bytes)
}
