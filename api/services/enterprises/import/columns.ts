import type { ImportProblem, ListRow } from './types.ts'

/** The columns of the bureau's list: the Chinese header it uses and the English alias we accept. */
export const listColumns = {
  uscc: { header: '统一社会信用代码', alias: 'uscc', required: true },
  name: { header: '企业名称', alias: 'name', required: true },
  county: { header: '区县', alias: 'county', required: true },
  sector: { header: '行业', alias: 'sector', required: true },
  address: { header: '地址', alias: 'address', required: true },
  certifiedAt: { header: '认定日期', alias: 'certified_at', required: true },
  validUntil: { header: '有效期至', alias: 'valid_until', required: true },
  status: { header: '状态', alias: 'status', required: true },
  statusSince: { header: '状态变更日期', alias: 'status_since', required: false },
  reason: { header: '变更原因', alias: 'reason', required: false },
  // 经营者自我承诺 (issue 22): optional, but given together or not at all.
  commitmentVersion: { header: '承诺书版本', alias: 'commitment_version', required: false },
  commitmentSignedOn: { header: '承诺日期', alias: 'commitment_signed_on', required: false },
  signerRole: { header: '签署人职务', alias: 'signer_role', required: false },
} as const
export type ListField = keyof typeof listColumns
const fields = Object.keys(listColumns) as ListField[]

/** Where each field sits in the rows, and the header text the file gives it. */
export interface ColumnLayout {
  headerRow: number
  index: Partial<Record<ListField, number>>
  label: Partial<Record<ListField, string>>
  /** Header texts we do not know; their cells are ignored. */
  ignored: string[]
  /** How many columns carry a header; cells further right have none. */
  width: number
}

// Spaces, underscores, full-width forms and a leading "*" (a common "required" mark) are invisible
// or incidental to a clerk, so they must not decide a match.
const headerKey = (text: string) =>
  text
    .normalize('NFKC')
    .replace(/[\s\u200b\ufeff_*-]+/g, '')
    .toLowerCase()

const keys = new Map<string, ListField>(
  fields.flatMap((f) => [
    [headerKey(listColumns[f].header), f] as const,
    [headerKey(listColumns[f].alias), f] as const,
  ]),
)

const fieldForHeader = (text: string): ListField | undefined => keys.get(headerKey(text))

export const columnName = (index: number) => `第 ${index + 1} 列`

/** Text that was UTF-8 once and was then read as Latin-1 and saved again looks like this. */
const looksGarbled = (cells: readonly string[]) =>
  cells.some((c) => /[\u00c0-\u00ff][\u0080-\u00bf]/.test(c))

/**
 * Finds the header row: the first of the top rows naming a known column, so a title row above the
 * headers (common in the bureau's spreadsheets) does not get in the way. Reports a missing
 * required header once, and a column given twice.
 */
export function locateColumns(rows: readonly ListRow[]): {
  layout: ColumnLayout
  problems: ImportProblem[]
} {
  const candidates = rows.slice(0, 10)
  const header =
    candidates.find((r) => r.cells.some((c) => fieldForHeader(c) !== undefined)) ?? rows[0]
  const layout: ColumnLayout = {
    headerRow: header?.number ?? 1,
    index: {},
    label: {},
    ignored: [],
    width: 0,
  }
  const problems: ImportProblem[] = []
  const cells = header?.cells ?? []
  cells.forEach((text, i) => {
    if (text.trim() === '') return
    layout.width = i + 1
    const field = fieldForHeader(text)
    if (!field) {
      layout.ignored.push(text.trim())
      return
    }
    const first = layout.index[field]
    if (first !== undefined) {
      problems.push({
        row: layout.headerRow,
        column: text.trim(),
        value: text.trim(),
        reason: `与${columnName(first)}“${layout.label[field] ?? ''}”是同一列（${listColumns[field].header}），请删去其中一列`,
      })
      return
    }
    layout.index[field] = i
    layout.label[field] = text.trim()
  })

  const missing = fields.filter((f) => listColumns[f].required && layout.index[f] === undefined)
  if (missing.length > 0 && Object.keys(layout.index).length === 0 && looksGarbled(cells)) {
    problems.push({
      row: layout.headerRow,
      column: '表头',
      value: cells.join(',').slice(0, 60),
      reason:
        '表头是乱码：文件曾用错误的编码打开并保存。请从原始表格重新“另存为 CSV UTF-8（逗号分隔）”或 .xlsx',
    })
    return { layout, problems }
  }
  for (const field of missing) {
    const { header: name, alias } = listColumns[field]
    problems.push({
      row: layout.headerRow,
      column: name,
      value: '',
      reason: `缺少必需的列“${name}”（英文表头可写 ${alias}）。请在表头行加上这一列`,
    })
  }
  return { layout, problems }
}
