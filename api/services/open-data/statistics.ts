import { beijingDate } from '../../domain/beijing-time.ts'
import { csvByteOrderMark, csvLine } from '../../domain/csv.ts'
import type { ServiceContext } from '../../deps.ts'
import { statisticsTables, type StatisticsTable } from '../statistics/tables.ts'
import { etagOf } from './etag.ts'
import { openDataLicence, openDataPublisher } from './licence.ts'

/**
 * The statistics tables as open data: counted up to the start of today (Beijing), so a file is
 * the same all day and its ETag answers repeated downloads with 304 until tomorrow or until a
 * late change to an earlier day moves a figure.
 */
export async function openStatistics(ctx: ServiceContext) {
  const cutoff = beijingDate()
  const tables = await statisticsTables(ctx, { cutoff })
  // The figures and their definitions, not the moment they were computed, make the version.
  const version = JSON.stringify(tables.map((t) => ({ ...t, computedAt: null })))
  return { tables, cutoff, version }
}

export const statisticsTableEtag = (version: string, id: string) =>
  etagOf(`statistics-${id}`, version)

/**
 * One table as CSV: the header, then the rows, nothing else, so any tool reads it as a table;
 * the title, definition, cutoff and licence are on the open-data page and in the JSON.
 */
export function* statisticsCsv(table: StatisticsTable): Generator<string> {
  yield csvByteOrderMark + csvLine(table.columns.map((c) => c.label))
  for (const row of table.rows) yield csvLine(table.columns.map((c) => row[c.key] ?? ''))
}

/** Every table in one JSON document, with the licence and the cutoff. */
export function* statisticsJson(tables: StatisticsTable[], cutoff: string): Generator<string> {
  yield JSON.stringify({
    title: '丽水市诚信计量统计数据',
    publisher: openDataPublisher,
    licence: openDataLicence,
    cutoff,
    tables,
  })
}
