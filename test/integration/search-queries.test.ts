import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { countyNames } from '../../api/domain/counties.ts'
import { filterWords } from '../../api/domain/search-words.ts'
import { usccCheckCharacter } from '../../api/domain/uscc.ts'
import { createApp } from '../../api/http/app.ts'
import { applyEnterpriseRecords } from '../../api/services/enterprises/apply.ts'
import type { EnterpriseRecord } from '../../api/services/enterprises/import/plan.ts'
import { listEnterprises } from '../../api/services/enterprises/list.ts'
import { outboxHandlers } from '../../api/worker/index.ts'
import { createOutboxWorker } from '../../api/worker/outbox-worker.ts'
import businesses from '../fixtures/search/businesses.json' with { type: 'json' }
import queries from '../fixtures/search/queries.json' with { type: 'json' }
import { createTestContext, type TestContext } from '../support/integration.ts'

/**
 * Issue 23, acceptance 3: what residents type (a county and a sector run together, synonyms,
 * brand short names, one-character typos) finds the businesses they mean in the first five
 * results, on the search page and through /api/search, over a real Meilisearch set up with the
 * bureau's synonyms (content/search/synonyms.json). The businesses and the queries are fixtures
 * (test/fixtures/search/): a query names the businesses it must find (`find`) or a word each of
 * the first five must carry (`eachContains`).
 */
interface QueryCase {
  q: string
  kind: string
  find?: string[]
  /** The first five are exactly the businesses of `find`, and nothing else. */
  only?: boolean
  eachContains?: string
}

const cases = queries as QueryCase[]

function records(): EnterpriseRecord[] {
  return (businesses as [string, string, string, string][]).map(
    ([name, countyCode, sectorCode, address], i) => {
      const body = `91${countyCode}MA${String(i + 1).padStart(7, '0')}`
      return {
        uscc: body + usccCheckCharacter(body),
        name,
        countyCode,
        sectorCode,
        address,
        certifiedAt: '2025-03-15',
        validUntil: '2028-03-14',
        status: 'active',
      }
    },
  )
}

let t: TestContext
let app: ReturnType<typeof createApp>
beforeAll(async () => {
  t = await createTestContext()
  app = createApp(t.deps)
  await applyEnterpriseRecords({
    ctx: t.deps,
    input: { records: records(), source: 'test', today: '2026-12-06' },
  })
  const worker = createOutboxWorker({
    db: t.deps.db,
    handlers: outboxHandlers(t.deps),
    logger: t.deps.logger,
  })
  while ((await worker.runOnce()) > 0);
})
afterAll(() => t.cleanup())

function expectFound(names: string[], c: QueryCase) {
  for (const name of c.find ?? []) expect(names, `${c.q} → ${name}`).toContain(name)
  if (c.only) expect([...names].sort()).toEqual([...(c.find ?? [])].sort())
  if (c.eachContains) {
    expect(names).toHaveLength(5)
    for (const name of names) expect(name).toContain(c.eachContains)
  }
}

describe('resident-style queries find the businesses they mean in the first five', () => {
  it('lists at least 40 queries of every kind, each expecting something', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40)
    expect(new Set(cases.map((c) => c.kind))).toEqual(
      new Set(['county + sector', 'synonym', 'brand short name', 'one-character typo', 'name']),
    )
    for (const c of cases) expect((c.find?.length ?? 0) > 0 || !!c.eachContains).toBe(true)
    const known = new Set(businesses.map(([name]) => name))
    for (const name of cases.flatMap((c) => c.find ?? [])) expect(known).toContain(name)
  })

  it.each(cases)('on the search page: $q ($kind)', async (c) => {
    const page = await listEnterprises({ ctx: t.deps, input: { q: c.q, page: 1, pageSize: 5 } })
    expectFound(
      page.items.map((i) => i.name),
      c,
    )
  })

  it.each(cases)('through /api/search: $q ($kind)', async (c) => {
    const res = await app.request(`/api/search?q=${encodeURIComponent(c.q)}&limit=5`)
    expect(res.status).toBe(200)
    const body = (await res.json()) as { enterprises: { name: string }[] }
    expectFound(
      body.enterprises.map((e) => e.name),
      c,
    )
  })
})

describe('what the search read', () => {
  it('names counties and sectors as the database does', async () => {
    const sectors = await t.deps.db.selectFrom('sectors').select(['code', 'name']).execute()
    const sectorName = new Map(sectors.map((s) => [s.code, s.name]))
    for (const w of filterWords) {
      expect(w.label, w.word).toBe(
        w.kind === 'county' ? countyNames[w.value] : sectorName.get(w.value),
      )
    }
    const named = new Set(filterWords.filter((w) => w.kind === 'sector').map((w) => w.value))
    expect([...sectorName.keys()].filter((code) => !named.has(code))).toEqual(['other'])
  })

  it('says which county and sector the words chose', async () => {
    const page = await listEnterprises({
      ctx: t.deps,
      input: { q: '莲都加油站', page: 1, pageSize: 20 },
    })
    expect(page.understood).toMatchObject({
      county: { value: '331102', label: '莲都区', word: '莲都' },
      sector: { value: 'fuel_station', label: '加油站', word: '加油站' },
    })
    expect(page.items.map((i) => i.name).sort()).toEqual(
      ['中国石化莲都紫金加油站', '中国石油莲都碧湖加油站'].sort(),
    )
  })

  it('searches the words as typed when asked, reading no filter', async () => {
    const page = await listEnterprises({
      ctx: t.deps,
      input: { q: '莲都加油站', page: 1, pageSize: 20, asTyped: true },
    })
    expect(page.understood).toBeNull()
    const res = await app.request(`/api/search?q=${encodeURIComponent('莲都加油站')}&typed=1`)
    expect(((await res.json()) as { understood: unknown }).understood).toBeNull()
  })

  it('falls back to the words as typed when the filters find nothing (龙泉山庄 is in 莲都区)', async () => {
    const page = await listEnterprises({
      ctx: t.deps,
      input: { q: '龙泉山庄', page: 1, pageSize: 20 },
    })
    expect(page.understood).toBeNull()
    expect(page.items.map((i) => i.name)).toContain('龙泉山庄饭店')
  })

  it('leaves a county the resident chose in place of the one the words name', async () => {
    const page = await listEnterprises({
      ctx: t.deps,
      input: { q: '加油站', county: '331181', page: 1, pageSize: 20 },
    })
    expect(page.items.map((i) => i.name)).toEqual(['中国石化龙泉剑池加油站'])
  })
})
