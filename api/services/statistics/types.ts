import type { PublishedFigure } from '../../domain/statistics.ts'

/** One published statistic: what the page, its CSV, the XLSX report and open data all show. */
export interface StatisticsTable {
  /** Slug, used in file names: /statistics/<id>.csv */
  id: string
  title: string
  /** How it is counted, in Chinese, as printed under the table and in its CSV. */
  definition: string
  columns: { key: string; label: string }[]
  /** Keyed by the columns' keys; hidden counts are '<5' (api/domain/statistics.ts). */
  rows: Record<string, PublishedFigure>[]
  /** When the figures were computed, ISO 8601 with the Beijing offset. */
  computedAt: string
  /** The Beijing date before which the data were counted (data to the end of the day before). */
  cutoff: string
}

/** What every table of one computation shares. */
export interface TableStamp {
  computedAt: string
  cutoff: string
}

/** Names of the counties and sectors, in display order. */
export interface Names {
  counties: { code: string; name: string }[]
  sectors: { code: string; name: string }[]
}
