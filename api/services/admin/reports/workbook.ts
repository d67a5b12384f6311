import ExcelJS from 'exceljs'
import type { MonthWarning, OverdueCase } from '../../../../db/queries/reports.ts'
import { beijingDateTime } from '../../../domain/beijing-time.ts'
import { categoryLabels } from '../../../domain/complaints.ts'
import {
  warningSeverityLabels,
  warningStateLabels,
  warningSubjectKindLabels,
} from '../../../domain/warnings.ts'
import type { StatisticsTable } from '../../statistics/tables.ts'

/** Everything one monthly report shows; no field holds a resident's data. */
export interface MonthlyReportData {
  month: string
  /** 全市 or the county's name. */
  scopeName: string
  generatedAt: Date
  tables: StatisticsTable[]
  overdue: OverdueCase[]
  warnings: MonthWarning[]
}

/** The sheets after the statistics tables', by name. */
const reportSheetNames = { about: '说明', overdue: '逾期未办结', warnings: '本月预警' }

/**
 * A sheet name Excel accepts: at most 31 characters, none of []:*?/\, and unique in the book
 * (a statistics table's title may be long, and two may start alike).
 */
function sheetName(title: string, taken: Set<string>): string {
  const base = title.replace(/[[\]:*?/\\]/g, ' ').slice(0, 28)
  let name = base
  for (let n = 2; taken.has(name); n++) name = `${base}${n}`
  taken.add(name)
  return name
}

function addTable(
  book: ExcelJS.Workbook,
  name: string,
  columns: { header: string; width: number }[],
  rows: (string | number | Date | null)[][],
) {
  const sheet = book.addWorksheet(name, { views: [{ state: 'frozen', ySplit: 1 }] })
  sheet.columns = columns.map((c) => ({ header: c.header, width: c.width }))
  sheet.getRow(1).font = { bold: true }
  for (const row of rows) sheet.addRow(row)
  return sheet
}

const at = (d: Date) => beijingDateTime(d)

/**
 * The monthly report as an XLSX file: a first sheet saying what it covers, one sheet per
 * statistics table (header, then the rows; a suppressed count stays the text "<5"), the cases
 * overdue at the month's end, and the warnings fired in the month. Built in memory: a county's
 * month is at most a few thousand rows.
 */
export async function monthlyWorkbook(data: MonthlyReportData): Promise<Buffer> {
  const book = new ExcelJS.Workbook()
  book.creator = '丽水诚信计量后台'
  book.created = data.generatedAt
  const taken = new Set(Object.values(reportSheetNames))
  const tableSheets = data.tables.map((t) => ({ table: t, name: sheetName(t.title, taken) }))

  addTable(
    book,
    reportSheetNames.about,
    [
      { header: '项目', width: 22 },
      { header: '内容', width: 90 },
    ],
    [
      ['报表', `${data.month} 月度报表`],
      ['范围', data.scopeName],
      ['生成时间', at(data.generatedAt)],
      ...tableSheets.map(({ table, name }) => [`工作表“${name}”`, table.definition]),
      [
        `工作表“${reportSheetNames.overdue}”`,
        '月末仍未办结且已超过办理期限的案件（不含不予受理的）。',
      ],
      [`工作表“${reportSheetNames.warnings}”`, '本月发出的预警及其关联案件数。'],
      ['个人信息', '本报表不含投诉举报人的姓名、电话和反映内容。'],
    ],
  )
  for (const { table, name } of tableSheets) {
    addTable(
      book,
      name,
      table.columns.map((c) => ({ header: c.label, width: Math.max(12, c.label.length * 2 + 4) })),
      table.rows.map((row) => table.columns.map((c) => row[c.key] ?? null)),
    )
  }
  addTable(
    book,
    reportSheetNames.overdue,
    [
      { header: '受理编号', width: 24 },
      { header: '区县', width: 14 },
      { header: '问题类别', width: 16 },
      { header: '被投诉经营者', width: 30 },
      { header: '收到时间', width: 18 },
      { header: '办理期限', width: 18 },
    ],
    data.overdue.map((c) => [
      c.trackingNo,
      c.countyName,
      categoryLabels[c.category],
      c.merchantName,
      at(c.receivedAt),
      at(c.dueAt),
    ]),
  )
  addTable(
    book,
    reportSheetNames.warnings,
    [
      { header: '预警对象', width: 36 },
      { header: '对象类型', width: 18 },
      { header: '区县', width: 14 },
      { header: '级别', width: 8 },
      { header: '发出时间', width: 18 },
      { header: '状态', width: 10 },
      { header: '关联案件数', width: 12 },
    ],
    data.warnings.map((w) => [
      w.subjectLabel,
      warningSubjectKindLabels[w.subjectKind],
      w.countyName ?? '全市',
      warningSeverityLabels[w.severity],
      at(w.firedAt),
      warningStateLabels[w.state],
      w.cases,
    ]),
  )
  return Buffer.from(await book.xlsx.writeBuffer())
}
