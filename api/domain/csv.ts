// CSV as the bureau's users open it: in Excel or WPS on Chinese Windows.

/**
 * A cell as a spreadsheet should read it: quoted when it holds a separator, a quote or a line
 * break, and with a leading apostrophe when it starts like a formula (=, +, -, @), so opening the
 * file in Excel or WPS never runs what a record's text happens to begin with.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return ''
  if (typeof value === 'number') return String(value)
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

/** One line of cells, ended with CRLF (RFC 4180). */
export const csvLine = (cells: readonly (string | number | null)[]) =>
  `${cells.map(csvCell).join(',')}\r\n`

/** Written first so that Excel and WPS read the file as UTF-8. */
export const csvByteOrderMark = '\uFEFF'
