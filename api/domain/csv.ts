// CSV as Excel and WPS on Chinese Windows read it (RFC 4180 quoting, CRLF line ends, UTF-8 with a
// byte-order mark so the Chinese is not read as GBK).

/** Written first so that Excel and WPS read the file as UTF-8. */
export const csvByteOrderMark = '\uFEFF'

/**
 * A cell a spreadsheet reads as text: quoted when it holds a separator, a quote or a line break,
 * and with a leading apostrophe when it starts like a formula (=, +, -, @), so opening the file
 * never runs what a record's text happens to begin with. A number is written as it is; null is
 * an empty cell.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return ''
  if (typeof value === 'number') return String(value)
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe
}

/** One line of cells, ended with CRLF: for files written as they stream. */
export const csvLine = (cells: readonly (string | number | null)[]) =>
  `${cells.map(csvCell).join(',')}\r\n`

/** Lines already written as CSV, as one file: byte-order mark first, CRLF after every line. */
export const csvFile = (lines: readonly string[]) => `${csvByteOrderMark}${lines.join('\r\n')}\r\n`

/** Rows of cells as one CSV file. */
export const csvOf = (rows: readonly (readonly string[])[]) =>
  csvFile(rows.map((r) => r.map(csvCell).join(',')))
