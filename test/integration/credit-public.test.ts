import { gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { enterpriseIndexer, enterpriseKey } from '../../api/search/enterprise-indexer.ts'
import { applyEnterpriseRecords } from '../../api/services/enterprises/apply.ts'
import { creditRecordsCsv } from '../../api/services/credit/open-data.ts'
import { publicSearch } from '../../api/services/search/public.ts'
import { listEnterprises } from '../../api/services/enterprises/list.ts'
import type { OutboxRow } from '../../db/database.ts'
import { ensureMarketEntity } from '../../db/queries/credit-record.ts'
import { generateDemoRecords } from '../../scripts/demo/generate.ts'
import { demoStation, loadDemoCredit } from '../../scripts/demo/credit.ts'
import { getPublicRecord } from '../../api/services/credit/public-record.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'

/**
 * The public side of the credit record (issue 22, acceptance 4): a case closed as 查实 reaches the
 * record of the business it names, on every public surface, without anything of the resident; a
 * 不属实 case and an open one never do.
 */
let t: TestContext
let app: ReturnType<typeof createApp>
const [certified] = generateDemoRecords(1, 11)
const entity = {
  uscc: '91331102MA2HPUB10X',
  name: '信用公开测试水果摊',
  countyCode: '331102',
  sectorCode: 'market',
  address: '莲都区公开测试菜场 3 号摊',
}
/** What the residents wrote: none of it may appear anywhere public. */
const resident = {
  name: '欧阳娜娜',
  phone: '13912345678',
  words: [
    '秤盘底下粘了一块磁铁，称出来多了二两甲',
    '老板说不买就走，两斤苹果少了三两乙',
    '第三份描述：猪肉一斤少了一两多丙',
  ],
}
const caseIds: string[] = []
const trackingNos: string[] = []

async function fileComplaint(n: number) {
  const res = await app.request(
    '/api/complaints',
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: 'complaint',
        category: 'short_weight',
        county: '331102',
        merchantName: entity.name,
        address: entity.address,
        occurredAt: '2026-11-20T09:30',
        description: resident.words[n],
        name: resident.name,
        phone: resident.phone,
        consent: true,
      }),
    },
    { clientAddress: `192.0.2.${n + 40}` },
  )
  expect(res.status, await res.clone().text()).toBe(201)
  const { trackingNo } = (await res.json()) as { trackingNo: string }
  const row = await t.deps.db
    .selectFrom('complaints')
    .select('id')
    .where('trackingNo', '=', trackingNo)
    .executeTakeFirstOrThrow()
  trackingNos.push(trackingNo)
  caseIds.push(row.id)
}

/** Fails when any of the resident's data, or a case's internal number, is in `text`. */
function expectNothingOfTheResident(text: string) {
  expect(text).not.toContain(resident.name)
  expect(text).not.toContain(resident.phone)
  expect(text).not.toContain(resident.phone.slice(-4))
  for (const words of resident.words) expect(text).not.toContain(words)
  for (const no of trackingNos) expect(text).not.toContain(no)
}

beforeAll(async () => {
  t = await createTestContext()
  app = createApp(t.deps)
  await applyEnterpriseRecords({
    ctx: t.deps,
    input: { records: [certified!], source: 'test', today: '2026-11-26' },
  })
  await t.deps.db.transaction().execute((trx) => ensureMarketEntity(trx, entity))
  for (const n of [0, 1, 2]) await fileComplaint(n)
  const db = t.deps.db
  await db
    .updateTable('complaints')
    .set({ merchantUscc: entity.uscc })
    .where('id', 'in', caseIds)
    .execute()
  // 0: closed 查实; 1: closed 不属实; 2: found true but not closed.
  await db
    .updateTable('complaints')
    .set({
      status: 'closed',
      closedAt: new Date('2026-11-30T02:00:00Z'),
      finding: 'substantiated',
      followUp: 'ordered',
    })
    .where('id', '=', caseIds[0]!)
    .execute()
  await db
    .updateTable('complaints')
    .set({
      status: 'closed',
      closedAt: new Date('2026-12-01T02:00:00Z'),
      finding: 'unfounded',
      followUp: 'none',
    })
    .where('id', '=', caseIds[1]!)
    .execute()
  await db
    .updateTable('complaints')
    .set({ finding: 'substantiated', followUp: 'mediated' })
    .where('id', '=', caseIds[2]!)
    .execute()
  await db
    .insertInto('creditGrades')
    .values({
      uscc: entity.uscc,
      grade: 'C',
      ruleVersion: 'test',
      reasons: JSON.stringify(['近 24 个月内 1 起投诉查实']),
      nextAgeOut: '2028-11-30',
      nextAgeOutNote: '2028 年 11 月 30 日起，2026 年 11 月的投诉查实不再计入',
    })
    .execute()
})
afterAll(() => t.cleanup())

describe('GET /api/enterprises/{uscc}/record', () => {
  it('gives a market entity as 未认定 with its grade and only its closed 查实 case', async () => {
    const res = await app.request(`/api/enterprises/${entity.uscc}/record`)
    expect(res.status).toBe(200)
    const text = await res.text()
    const body = JSON.parse(text) as {
      certification: unknown
      name: string
      grade: { grade: string; label: string; reasons: string[]; nextAgeOut: string }
      cases: Array<Record<string, unknown>>
    }
    expect(body.name).toBe(entity.name)
    expect(body.certification).toBeNull()
    expect(body.grade).toMatchObject({
      grade: 'C',
      label: '信用风险较高',
      reasons: ['近 24 个月内 1 起投诉查实'],
      nextAgeOut: '2028-11-30',
    })
    expect(body.cases).toEqual([
      {
        closedOn: '2026-11-30',
        category: 'short_weight',
        categoryLabel: '缺斤短两',
        finding: 'substantiated',
        findingLabel: '查实',
        followUp: 'ordered',
        followUpLabel: '责令改正',
        correction: null,
      },
    ])
    expectNothingOfTheResident(text)
    for (const id of caseIds) expect(text).not.toMatch(new RegExp(`"${id}"`))
  })

  it('gives a certified business its certification and 暂无 grade when none is computed', async () => {
    const res = await app.request(`/api/enterprises/${certified!.uscc.toLowerCase()}/record`)
    expect(res.status).toBe(200)
    const body = (await res.json()) as { certification: { status: string }; grade: unknown }
    expect(body.certification.status).toBe('active')
    expect(body.grade).toBeNull()
  })

  it('answers an unknown code with 404 and a malformed one with 400', async () => {
    const unknown = await app.request('/api/enterprises/91331102MA2E0000X1/record')
    expect(unknown.status).toBe(404)
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND')
    expect((await app.request('/api/enterprises/abc/record')).status).toBe(400)
  })

  it('may be cached briefly, carries an ETag and is compressed when asked', async () => {
    const res = await app.request(`/api/enterprises/${entity.uscc}/record`, {
      headers: { 'accept-encoding': 'gzip' },
    })
    expect(res.headers.get('cache-control')).toBe('public, max-age=60, s-maxage=60')
    expect(res.headers.get('content-encoding')).toBe('gzip')
    const etag = res.headers.get('etag')
    expect(etag).toBeTruthy()
    const body = JSON.parse(gunzipSync(Buffer.from(await res.arrayBuffer())).toString()) as {
      uscc: string
    }
    expect(body.uscc).toBe(entity.uscc)
    const again = await app.request(`/api/enterprises/${entity.uscc}/record`, {
      headers: { 'if-none-match': etag! },
    })
    expect(again.status).toBe(304)
  })

  it('is in the OpenAPI document with its schema', async () => {
    const doc = (await (await app.request('/api/openapi.json')).json()) as {
      paths: Record<string, { get?: { summary?: string } }>
      components: { schemas: Record<string, unknown> }
    }
    expect(doc.paths['/api/enterprises/{uscc}/record']?.get?.summary).toContain('信用记录')
    expect(doc.components.schemas).toHaveProperty('CreditRecord')
  })
})

describe('the search index', () => {
  it('holds the market entity with its grade and nothing of the resident', async () => {
    const handle = enterpriseIndexer(t.deps.db, t.deps.search)
    await handle(
      [entity.uscc, certified!.uscc].map(
        (uscc) => ({ aggregateKey: enterpriseKey(uscc) }) as OutboxRow,
      ),
    )
    const index = t.deps.search.meili.index(t.deps.search.indexName('enterprises'))
    const doc = await index.getDocument(entity.uscc)
    expect(doc).toMatchObject({ uscc: entity.uscc, grade: 'C', certified: false })
    expectNothingOfTheResident(JSON.stringify(doc))

    const found = await publicSearch({ ctx: t.deps, input: { q: '信用公开测试水果摊', limit: 10 } })
    expect(found.marketEntities.map((m) => [m.uscc, m.grade])).toEqual([[entity.uscc, 'C']])
    expect(found.enterprises.map((e) => e.uscc)).not.toContain(entity.uscc)
    const byCode = await publicSearch({ ctx: t.deps, input: { q: entity.uscc, limit: 10 } })
    expect(byCode.marketEntities.map((m) => m.uscc)).toEqual([entity.uscc])

    // The directory stays a list of certified businesses.
    const directory = await listEnterprises({
      ctx: t.deps,
      input: { q: '信用公开测试水果摊', page: 1, pageSize: 20 },
    })
    expect(directory.items.map((e) => e.uscc)).not.toContain(entity.uscc)
  })
})

describe('the open data', () => {
  it('lists the 查实 case once, with the code and name, and nothing of the resident', async () => {
    const csv = await creditRecordsCsv({ ctx: t.deps, input: { today: '2026-12-06' } })
    expect(csv.startsWith('\uFEFF统一社会信用代码,名称,')).toBe(true)
    const lines = csv.slice(1).trim().split('\r\n')
    const caseRows = lines.filter((l) => l.includes('投诉举报查实'))
    expect(caseRows).toEqual([
      `${entity.uscc},${entity.name},莲都区,未认定,投诉举报查实,2026-11-30,缺斤短两,查实,责令改正,`,
    ])
    expect(lines.some((l) => l.startsWith(`${entity.uscc},`) && l.includes('信用等级'))).toBe(true)
    expectNothingOfTheResident(csv)
  })
})

describe('the demo credit record', () => {
  it('loads a failed 加油机 visit, a penalty and grades, shown through the public record', async () => {
    const records = generateDemoRecords(300)
    await applyEnterpriseRecords({
      ctx: t.deps,
      input: { records, source: 'demo', today: '2026-12-06', isDemo: true },
    })
    await loadDemoCredit(t.deps, records, '2026-12-06')
    const station = await getPublicRecord({
      ctx: t.deps,
      input: { uscc: demoStation.uscc, today: '2026-12-06' },
    })
    expect(station.certification).toBeNull()
    expect(station.grade?.grade).toBe('D')
    expect(station.inspections.map((v) => [v.visitedOn, v.kindLabel, v.resultLabel])).toEqual([
      ['2026-10-27', '加油机', '不合格'],
    ])
    expect(station.inspections[0]).toMatchObject({ instrumentsChecked: 2, instrumentsFailed: 1 })
    expect(station.penalties.map((p) => p.kind)).toEqual(['fine'])
    const committed = await t.deps.db
      .selectFrom('commitments')
      .select('uscc')
      .where('source', '=', 'demo')
      .execute()
    expect(committed.length).toBe(5)
  })
})

describe('the per-address limit', () => {
  it('answers 429 with Retry-After past SEARCH_LIMIT_PER_ADDRESS lookups a minute', async () => {
    const limited = await createTestContext({ env: { SEARCH_LIMIT_PER_ADDRESS: '2' } })
    try {
      const limitedApp = createApp(limited.deps)
      const ask = (address: string) =>
        limitedApp.request(
          '/api/enterprises/91331102MA2E0000X1/record',
          {},
          {
            clientAddress: address,
          },
        )
      expect((await ask('198.51.100.7')).status).toBe(404)
      expect((await ask('198.51.100.7')).status).toBe(404)
      const refused = await ask('198.51.100.7')
      expect(refused.status).toBe(429)
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
      // Another address, and searches from the same one, are not held back by it.
      expect((await ask('198.51.100.8')).status).toBe(404)
      const search = await limitedApp.request(
        '/api/search?q=菜场',
        {},
        {
          clientAddress: '198.51.100.7',
        },
      )
      expect(search.status).not.toBe(429)
    } finally {
      await limited.cleanup()
    }
  })
})
