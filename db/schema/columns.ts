import type { ColumnType } from 'kysely'

/** A DATE column: read back as 'YYYY-MM-DD' (see the type parser in client.ts). */
export type DateColumn = ColumnType<string, string, string>
export type Timestamp = ColumnType<Date, Date | string, Date | string>
/** A timestamp the database fills in when the insert leaves it out. */
export type DefaultTimestamp = ColumnType<Date, Date | string | undefined, Date | string>

/** NUMERIC columns: read back as strings, so no cent is lost to floating point. */
export type Numeric = ColumnType<string, string | number, string | number>
