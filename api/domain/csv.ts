// CSV as Excel and WPS on Chinese Windows read it (RFC 4180 quoting, CRLF line ends, UTF-8 with a
// byte-order mark so the Chinese is not read as GBK).

/**
 * A cell a spreadsheet reads as text: quoted when it holds a separator, a quote or a line break,
 * and with a leading apostrophe when it starts like a formula (=, +, -, @), so opening the file
 * never runs what a record's text happens to begin with.
 */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe
}

/** Lines already written as CSV, as one file: byte-order mark first, CRLF after every line. */
export const csvFile = (lines: readonly string[]) => `\uFEFF${lines.join('\r\n')}\r\n`

/** Rows of cells as one CSV file. */
export const csvOf = (rows: readonly (readonly string[])[]) =>
  csvFile(rows.map((r) => r.map(csvCell).join(',')))
