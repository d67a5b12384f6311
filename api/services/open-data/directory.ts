import { allEnterprises, type EnterpriseView } from '../../../db/queries/enterprises.ts'
import { directoryVersion } from '../../../db/queries/open-data.ts'
import { statusLabels } from '../../domain/certification.ts'
import { creditGradeLabels } from '../../domain/credit.ts'
import { csvByteOrderMark, csvLine } from '../../domain/csv.ts'
import type { ServiceContext } from '../../deps.ts'
import { etagOf } from './etag.ts'
import { openDataLicence, openDataPublisher } from './licence.ts'

/**
 * Businesses read per query: keyset pages in credit-code order, so memory holds one page (about
 * 400 kB of text) whatever the directory's size, and no query scans past what it returns.
 */
const directoryPageSize = 1_000

/** The directory's columns in the CSV, in order, with the JSON key of each. */
const columns = [
  ['uscc', '统一社会信用代码'],
  ['name', '名称'],
  ['countyCode', '区县代码'],
  ['county', '区县'],
  ['sector', '行业'],
  ['status', '认定状态'],
  ['statusSince', '状态起始日期'],
  ['certifiedAt', '认定日期'],
  ['validUntil', '有效期至'],
  ['address', '地址'],
  ['creditGrade', '信用等级'],
  ['creditGradeLabel', '信用风险'],
] as const

type DirectoryItem = Record<(typeof columns)[number][0], string | null>

/** One business as the open data lists it: what its public page shows, no more. */
const itemOf = (e: EnterpriseView): DirectoryItem => ({
  uscc: e.uscc,
  name: e.name,
  countyCode: e.county,
  county: e.countyName,
  sector: e.sectorName,
  status: statusLabels[e.status],
  statusSince: e.statusSince,
  certifiedAt: e.certifiedAt,
  validUntil: e.validUntil,
  address: e.address,
  creditGrade: e.grade,
  creditGradeLabel: e.grade ? creditGradeLabels[e.grade] : null,
})

async function* csvBody(ctx: ServiceContext): AsyncGenerator<string> {
  yield csvByteOrderMark + csvLine(columns.map(([, label]) => label))
  for await (const page of allEnterprises(ctx.db, directoryPageSize)) {
    yield page.map((e) => csvLine(Object.values(itemOf(e)))).join('')
  }
}

/**
 * One JSON document, written a page at a time: the licence and date first, then `items`, an
 * array a reader can also parse incrementally. A document (not NDJSON) so that any JSON tool
 * opens it as it is.
 */
async function* jsonBody(ctx: ServiceContext, updatedAt: Date | null): AsyncGenerator<string> {
  const head = {
    title: '丽水市诚信计量单位名录',
    publisher: openDataPublisher,
    licence: openDataLicence,
    updatedAt: updatedAt?.toISOString() ?? null,
  }
  yield `${JSON.stringify(head).slice(0, -1)},"items":[`
  let first = true
  for await (const page of allEnterprises(ctx.db, directoryPageSize)) {
    const text = page.map((e) => JSON.stringify(itemOf(e))).join(',\n')
    yield first ? `\n${text}` : `,\n${text}`
    first = false
  }
  yield '\n]}\n'
}

/** The directory's current version, cheap to read: what decides 304 before any row is read. */
export async function directoryFileVersion(ctx: ServiceContext, format: 'csv' | 'json') {
  const version = await directoryVersion(ctx.db)
  return { ...version, etag: etagOf(`directory-${format}`, version.stamp) }
}

export const directoryBody = (
  ctx: ServiceContext,
  format: 'csv' | 'json',
  updatedAt: Date | null,
) => (format === 'csv' ? csvBody(ctx) : jsonBody(ctx, updatedAt))
