/** A list file as read, before any checking: every cell is text. */
export interface ListTable {
  /** Rows as a clerk sees them in the spreadsheet; `number` counts from 1 at the top. */
  rows: ListRow[]
}

export interface ListRow {
  number: number
  cells: string[]
}

/** One thing wrong with the file, in the words and numbering a clerk uses to find and fix it. */
export interface ImportProblem {
  /** Spreadsheet row number (the header is row 1 unless a title row sits above it). */
  row: number
  /** The header text as written in the file, or the expected header when it is missing. */
  column: string
  value: string
  /** What is wrong and how to fix it, in Chinese. */
  reason: string
}

/** The codes and names the database accepts (tables `counties` and `sectors`). */
export interface ReferenceData {
  counties: ReadonlyArray<{ code: string; name: string }>
  sectors: ReadonlyArray<{ code: string; name: string }>
  /** Today in China Standard Time, 'YYYY-MM-DD'. */
  today: string
  /** The published commitment texts a row's 承诺书版本 may name (none: every version is refused). */
  commitmentVersions?: readonly string[]
}

/** A cell read as the value the database wants, or the reason (Chinese) it cannot be. */
export type FieldResult<T> = { ok: true; value: T } | { ok: false; reason: string }
