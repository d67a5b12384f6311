import { directoryVersion } from '../../../db/queries/open-data.ts'
import { beijingDate, beijingMidnight } from '../../domain/beijing-time.ts'
import type { ServiceContext } from '../../deps.ts'
import { openDataPaths } from './files.ts'
import { openDataLicence, openDataLicenceUrl, openDataPublisher } from './licence.ts'
import { openStatistics } from './statistics.ts'

/** One downloadable file as the open-data page lists it. */
interface CatalogFile {
  href: string
  format: 'CSV' | 'JSON'
}

/**
 * What the open-data page (/data/) lists: each file with its rows and the date its data were
 * last updated, the licence, and the definitions of the statistics (issue 24, item 5).
 */
export async function openDataCatalog({ ctx }: { ctx: ServiceContext }) {
  const [directory, statistics] = await Promise.all([directoryVersion(ctx.db), openStatistics(ctx)])
  const both = (path: (format: 'csv' | 'json') => string): CatalogFile[] => [
    { href: path('csv'), format: 'CSV' },
    { href: path('json'), format: 'JSON' },
  ]
  return {
    publisher: openDataPublisher,
    licence: openDataLicence,
    licenceUrl: openDataLicenceUrl,
    directory: {
      rows: directory.rows,
      updatedOn: directory.updatedAt ? beijingDate(directory.updatedAt) : null,
      files: both(openDataPaths.directory),
    },
    statistics: {
      /** The last day counted: the tables stop at the start of the cutoff's day. */
      throughDay: beijingDate(new Date(beijingMidnight(statistics.cutoff).getTime() - 1)),
      json: { href: openDataPaths.statisticsJson, format: 'JSON' } satisfies CatalogFile,
      tables: statistics.tables.map((t) => ({
        id: t.id,
        title: t.title,
        definition: t.definition,
        rows: t.rows.length,
        csv: { href: openDataPaths.statisticsTable(t.id), format: 'CSV' } satisfies CatalogFile,
      })),
    },
  }
}
