import { csvCell, csvFile } from '../../domain/csv.ts'
import { lastCountedDay } from '../../domain/statistics.ts'
import type { StatisticsTable } from './types.ts'

/** A note line: '#' first and no separator or quote, so no tool reads it as a quoted cell. */
const note = (text: string) =>
  `# ${text
    .replaceAll(',', '，')
    .replaceAll('"', '＂')
    .replace(/[\r\n]+/g, ' ')}`

/**
 * One statistics table as CSV: four '#' note lines (title, definition, cutoff, when computed),
 * a blank line, then the table with its header. pandas (`comment='#'`) and R (`comment.char`)
 * skip the notes; Excel and WPS show them as a note above the table, and the blank line keeps
 * them out of the table a pivot or filter picks up. Hidden counts are written "<5" as on the page.
 */
export function statisticsCsv(table: StatisticsTable): string {
  const header = table.columns.map((c) => csvCell(c.label)).join(',')
  const rows = table.rows.map((row) =>
    table.columns.map((c) => csvCell(String(row[c.key] ?? ''))).join(','),
  )
  return csvFile([
    note(table.title),
    note(`口径：${table.definition}`),
    note(`数据截至：${lastCountedDay(table.cutoff)} 24 时（北京时间）`),
    note(`计算时间：${table.computedAt}`),
    '',
    header,
    ...rows,
  ])
}
