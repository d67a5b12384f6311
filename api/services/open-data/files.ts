import type { ServiceContext } from '../../deps.ts'
import { beijingMidnight } from '../../domain/beijing-time.ts'
import { directoryBody, directoryFileVersion } from './directory.ts'
import { matchesEtag } from './etag.ts'
import { openDataLicenceUrl } from './licence.ts'
import { openStatistics, statisticsCsv, statisticsJson, statisticsTableEtag } from './statistics.ts'

/** An open-data file as the server sends it. */
export interface OpenDataFile {
  etag: string
  contentType: string
  /** The name a browser saves it under. */
  filename: string
  lastModified: Date | null
  licenceUrl: string
  /** Null when the client's copy (If-None-Match) is current: the answer is 304, no body. */
  body: AsyncIterable<string> | Iterable<string> | null
}

const types = { csv: 'text/csv; charset=utf-8', json: 'application/json; charset=utf-8' }

/** The paths the open data is served at; the page lists them. */
export const openDataPaths = {
  directory: (format: 'csv' | 'json') => `/data/directory.${format}`,
  statisticsJson: '/data/statistics.json',
  statisticsTable: (id: string) => `/data/statistics/${id}.csv`,
} as const

const directoryPath = /^\/data\/directory\.(csv|json)$/
const statisticsTablePath = /^\/data\/statistics\/([a-z0-9-]{1,64})\.csv$/

/**
 * The open-data file at `path`, or undefined when there is none. The version is read first and
 * cheaply; a body is made only when the client's copy is not current, and it is a generator that
 * reads the database a page at a time as the server writes it out (issue 24, item 5).
 */
export async function openDataFile({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { path: string; ifNoneMatch: string | null | undefined }
}): Promise<OpenDataFile | undefined> {
  const directory = directoryPath.exec(input.path)
  if (directory) {
    const format = directory[1] as 'csv' | 'json'
    const version = await directoryFileVersion(ctx, format)
    return {
      etag: version.etag,
      contentType: types[format],
      filename: `lishui-honest-metrology-directory.${format}`,
      lastModified: version.updatedAt,
      licenceUrl: openDataLicenceUrl,
      body: matchesEtag(input.ifNoneMatch, version.etag)
        ? null
        : directoryBody(ctx, format, version.updatedAt),
    }
  }
  const tableId = statisticsTablePath.exec(input.path)?.[1]
  if (input.path !== openDataPaths.statisticsJson && !tableId) return undefined
  const { tables, cutoff, version } = await openStatistics(ctx)
  const table = tableId ? tables.find((t) => t.id === tableId) : undefined
  if (tableId && !table) return undefined
  const etag = statisticsTableEtag(version, table?.id ?? 'all')
  const fresh = matchesEtag(input.ifNoneMatch, etag)
  return {
    etag,
    contentType: table ? types.csv : types.json,
    filename: table
      ? `lishui-honest-metrology-${table.id}.csv`
      : 'lishui-honest-metrology-statistics.json',
    lastModified: beijingMidnight(cutoff),
    licenceUrl: openDataLicenceUrl,
    body: fresh ? null : table ? statisticsCsv(table) : statisticsJson(tables, cutoff),
  }
}
