import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  importEnterpriseList,
  readEnterpriseListBytes,
  type ImportOutcome,
} from '../../api/services/enterprises/import-file.ts'
import { creditRecomputeTopic } from '../../api/domain/credit.ts'
import { loadCreditRecord } from '../../db/queries/credit-record.ts'
import { createApp } from '../../api/http/app.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { signedInOperator } from '../support/operators.ts'

/**
 * Self-commitments through the bureau's list (issue 22, point 2): the optional columns 承诺书版本,
 * 承诺日期 and 签署人职务 record a commitment; a row with some but not all of them, or naming a text
 * that is not published, is refused and nothing of the list is written.
 */

const today = '2026-12-06'
const header =
  '统一社会信用代码,企业名称,区县,行业,地址,认定日期,有效期至,状态,承诺书版本,承诺日期,签署人职务'
const first =
  '91331102MA2HK3N57E,丽水市莲都区万象农贸市场有限公司,莲都区,集贸市场,丽阳街 126 号,2024-03-15,2027-03-14,有效'
const second =
  '91331121MA2JR6PD4A,青田县温溪瓯江加油站有限公司,331121,fuel_station,温溪镇 8 号,2025/6/20,2028/6/19,有效'

let t: TestContext

async function importCsv(lines: string[], dryRun = false): Promise<ImportOutcome> {
  const table = await readEnterpriseListBytes(new TextEncoder().encode(`${lines.join('\n')}\n`))
  return importEnterpriseList({
    ctx: t.deps,
    input: { table, fileName: 'list.csv', today, dryRun },
  })
}

async function commitmentsOf(uscc: string) {
  return t.deps.db
    .selectFrom('commitments')
    .select(['textVersion', 'signedOn', 'signerRole', 'source'])
    .where('uscc', '=', uscc)
    .execute()
}

beforeAll(async () => {
  t = await createTestContext()
})
afterAll(() => t.cleanup())

describe('commitments in the list import', () => {
  it('refuses a row with some commitment columns, naming each missing one', async () => {
    const outcome = await importCsv([header, `${first},v1,,`, `${second},,2026-11-01,`])
    expect(outcome.ok).toBe(false)
    if (outcome.ok) return
    const missing = outcome.problems.map((p) => `${p.row}:${p.column}`).sort()
    expect(missing).toEqual(['2:承诺日期', '2:签署人职务', '3:承诺书版本', '3:签署人职务'])
    expect(outcome.problems[0]!.reason).toContain('三列都要填写')
    expect(await commitmentsOf('91331102MA2HK3N57E')).toEqual([])
    const written = await t.deps.db.selectFrom('enterprises').select('uscc').execute()
    expect(written).toEqual([])
  })

  it('refuses a version that is not published and a role that is a name', async () => {
    const outcome = await importCsv([
      header,
      `${first},v7,2026-11-01,法定代表人`,
      `${second},v1,2026-11-01,王小明`,
    ])
    expect(outcome.ok).toBe(false)
    if (outcome.ok) return
    expect(outcome.problems.map((p) => `${p.row}:${p.column}`)).toEqual([
      '2:承诺书版本',
      '3:签署人职务',
    ])
    expect(outcome.problems[0]!.reason).toContain('已发布的版本：v1')
  })

  it('records good rows once, leaves rows without a commitment alone, asks for the grade', async () => {
    const lines = [header, `${first},V1,2026年11月20日,法定代表人`, `${second},,,`]
    const dry = await importCsv(lines, true)
    expect(dry.ok && dry.result.committed).toEqual(['91331102MA2HK3N57E'])
    expect(await commitmentsOf('91331102MA2HK3N57E')).toEqual([])

    const outcome = await importCsv(lines)
    expect(outcome.ok && outcome.result.committed).toEqual(['91331102MA2HK3N57E'])
    expect(await commitmentsOf('91331102MA2HK3N57E')).toEqual([
      {
        textVersion: 'v1',
        signedOn: '2026-11-20',
        signerRole: '法定代表人',
        source: 'import:list.csv',
      },
    ])
    expect(await commitmentsOf('91331121MA2JR6PD4A')).toEqual([])
    const record = await loadCreditRecord(t.deps.db, '91331102MA2HK3N57E', today)
    expect(record.commitment).toEqual({
      textVersion: 'v1',
      signedOn: '2026-11-20',
      signerRole: '法定代表人',
    })
    const queued = await t.deps.db
      .selectFrom('outbox')
      .select('aggregateKey')
      .where('topic', '=', creditRecomputeTopic)
      .execute()
    // Both businesses are new on the list (certification is a grade input too), the committed
    // one among them: each asked for once.
    expect(queued.map((q) => q.aggregateKey).sort()).toEqual([
      'credit:91331102MA2HK3N57E',
      'credit:91331121MA2JR6PD4A',
    ])

    // The same list again changes nothing; a newer commitment in a later list is recorded.
    const again = await importCsv(lines)
    expect(again.ok && again.result.committed).toEqual([])
    expect(await commitmentsOf('91331102MA2HK3N57E')).toHaveLength(1)
    const renewed = await importCsv([header, `${first},v1,2026-12-01,主要负责人`])
    expect(renewed.ok && renewed.result.committed).toEqual(['91331102MA2HK3N57E'])
    expect((await loadCreditRecord(t.deps.db, '91331102MA2HK3N57E', today)).commitment).toEqual({
      textVersion: 'v1',
      signedOn: '2026-12-01',
      signerRole: '主要负责人',
    })
  })

  it('takes the same columns in the console upload, and says which businesses committed', async () => {
    const app = createApp(t.deps)
    const admin = await signedInOperator(t.deps, 'city_admin')
    const upload = async (lines: string[]) => {
      const form = new FormData()
      form.set('file', new File([`${lines.join('\n')}\n`], 'list.csv', { type: 'text/csv' }))
      return app.request('/api/admin/enterprises/import', {
        method: 'POST',
        headers: admin.headers,
        body: form,
      })
    }
    const partial = await upload([header, `${second},v1,2026-11-01,`])
    expect(partial.status).toBe(400)
    const { error } = (await partial.json()) as { error: { details: Array<{ column: string }> } }
    expect(error.details.map((d) => d.column)).toEqual(['签署人职务'])

    const res = await upload([header, `${second},v1,2026-11-01,负责人`])
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ committed: ['91331121MA2JR6PD4A'] })
    expect(await commitmentsOf('91331121MA2JR6PD4A')).toEqual([
      {
        textVersion: 'v1',
        signedOn: '2026-11-01',
        signerRole: '负责人',
        source: 'import:list.csv',
      },
    ])
  })
})
