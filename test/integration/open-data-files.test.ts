import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { beijingDate } from '../../api/domain/beijing-time.ts'
import { statisticsTables } from '../../api/services/statistics/tables.ts'
import { openDataCatalog } from '../../api/services/open-data/catalog.ts'
import { openDataFile } from '../../api/services/open-data/files.ts'
import { insertSyntheticEnterprises } from '../../scripts/demo/bulk.ts'
import { postReport } from '../support/complaints.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'

let t: TestContext

async function fetchFile(path: string, ifNoneMatch?: string) {
  const file = await openDataFile({ ctx: t.deps, input: { path, ifNoneMatch } })
  if (!file) return undefined
  let text = ''
  if (file.body) for await (const chunk of file.body) text += chunk
  return { ...file, text }
}

beforeAll(async () => {
  t = await createTestContext()
  await insertSyntheticEnterprises(t.deps.db, 30)
  const app = createApp(t.deps)
  for (let n = 1; n <= 8; n++) expect((await postReport(app, '开放数据', n)).status).toBe(201)
  // Received in October: six in 莲都, two in 青田 (a count under 5, shown as "<5").
  await sql`UPDATE complaints SET received_at = '2026-10-12T10:00:00+08:00'`.execute(t.deps.db)
  await sql`UPDATE complaints SET county_code = '331121'
    WHERE id IN (SELECT id FROM complaints ORDER BY id LIMIT 2)`.execute(t.deps.db)
}, 120_000)

afterAll(async () => {
  await t.cleanup()
})

describe('open-data files', () => {
  it('lists every business in the directory CSV with formula-like text made inert', async () => {
    const [first] = await t.deps.db.selectFrom('enterprises').select('uscc').limit(1).execute()
    await sql`UPDATE enterprises SET name = '=HYPERLINK("http://x.example","菜场")', updated_at = now()
      WHERE uscc = ${first!.uscc}`.execute(t.deps.db)
    const file = await fetchFile('/data/directory.csv')
    const lines = file!.text.split('\r\n').filter(Boolean)
    expect(lines).toHaveLength(31)
    expect(lines.find((l) => l.startsWith(first!.uscc))).toContain(
      `"'=HYPERLINK(""http://x.example"",""菜场"")"`,
    )
  })

  it('serves each statistics table as CSV, suppressing counts under 5, with an ETag', async () => {
    const file = await fetchFile('/data/statistics/complaints-by-county.csv')
    expect(file!.contentType).toBe('text/csv; charset=utf-8')
    const lines = file!.text.split('\r\n')
    expect(lines[0]).toBe(
      '\uFEFF区县,投诉（件）,举报（件）,合计（件）,其中来自 12345（件）,12345 占比（%）',
    )
    // The total of a county: the fourth cell of its line.
    const totalOf = (text: string, county: string) =>
      text
        .split('\r\n')
        .find((l) => l.startsWith(`${county},`))
        ?.split(',')[3]
    expect(totalOf(file!.text, '莲都区')).toBe('6')
    expect(totalOf(file!.text, '青田县')).toBe('<5')
    expect(file!.text).not.toMatch(/(^|,)[1-4](,|\r\n)/m)
    const again = await fetchFile('/data/statistics/complaints-by-county.csv', file!.etag)
    expect(again!.body).toBeNull()
    // Another complaint counted moves the figures, and so the ETag.
    await sql`UPDATE complaints SET county_code = '331102'
      WHERE id = (SELECT min(id) FROM complaints)`.execute(t.deps.db)
    const changed = await fetchFile('/data/statistics/complaints-by-county.csv', file!.etag)
    expect(changed!.etag).not.toBe(file!.etag)
    expect(totalOf(changed!.text, '莲都区')).toBe('7')
    expect(await fetchFile('/data/statistics/no-such-table.csv')).toBeUndefined()
  })

  it('serves every table in one JSON document with the licence and cutoff', async () => {
    const file = await fetchFile('/data/statistics.json')
    const doc = JSON.parse(file!.text) as {
      licence: string
      cutoff: string
      tables: Array<{ id: string; rows: unknown[] }>
    }
    expect(doc.licence).toContain('CC BY 4.0')
    expect(doc.tables.map((tb) => tb.id)).toContain('complaints-by-county')
    // Counted up to the end of yesterday, Beijing time: the cutoff is today's date.
    expect(doc.cutoff).toBe(beijingDate())
  })

  it('lists the files on the open-data page with their rows and dates', async () => {
    const catalog = await openDataCatalog({ ctx: t.deps })
    expect(catalog.directory.rows).toBe(30)
    expect(catalog.directory.updatedOn).toMatch(/^\d{4}-\d{2}-\d{2}$/)
    expect(catalog.directory.files.map((f) => f.href)).toEqual([
      '/data/directory.csv',
      '/data/directory.json',
    ])
    const table = catalog.statistics.tables.find((tb) => tb.id === 'complaints-by-county')
    const [counted] = (await statisticsTables(t.deps, { cutoff: beijingDate() })).filter(
      (tb) => tb.id === 'complaints-by-county',
    )
    expect(table).toMatchObject({
      rows: counted!.rows.length,
      csv: { href: '/data/statistics/complaints-by-county.csv' },
    })
  })
})
