import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { defaultDrawWeights, type CreditGrade } from '../../api/domain/credit.ts'
import { runDraw } from '../../api/domain/draw.ts'
import { usccCheckCharacter } from '../../api/domain/uscc.ts'
import { staleCampaignMessage } from '../../api/services/admin/campaigns/access.ts'
import { publishDueCampaigns } from '../../api/services/admin/campaigns/publication.ts'
import type { CampaignDetail } from '../../api/services/admin/campaigns/schemas.ts'
import type { PublicCampaign } from '../../api/services/inspections/schemas.ts'
import { installDeps, uninstallDeps } from '../../server/deps.ts'
import { campaignCsvResponse, loadPublicCampaign } from '../../site/lib/inspections-page.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { signedInOperator, type TestOperator } from '../support/operators.ts'

// Issue 22, point 3: special-inspection campaigns and the 双随机 draw through the console API,
// county-scoped, audited, reproducible from what is published; point 8: the public campaign
// page exists only from publication (公示), by hand or by the sweep.

const countyA = '331102' // 莲都区
const countyB = '331121' // 青田县

let t: TestContext
let app: ReturnType<typeof createApp>
let admin: TestOperator
let handlersA: TestOperator[]
let handlerB: TestOperator
let viewer: TestOperator
const businessesA: string[] = []
let businessB: string

const code = (county: string, n: number) => {
  const first17 = `91${county}MA2E${String(n).padStart(5, '0')}`
  return first17 + usccCheckCharacter(first17)
}

async function addBusiness(county: string, n: number, grade: CreditGrade | null) {
  const uscc = code(county, n)
  await t.deps.db
    .insertInto('marketEntities')
    .values({ uscc, name: `抽查测试商行${n}号`, countyCode: county, sectorCode: 'market' })
    .execute()
  if (grade) {
    await t.deps.db
      .insertInto('creditGrades')
      .values({ uscc, grade, ruleVersion: 'test', reasons: JSON.stringify([]) })
      .execute()
  }
  return uscc
}

const post = (as: TestOperator, path: string, body: unknown) =>
  app.request(path, {
    method: 'POST',
    headers: { ...as.headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })

const get = (as: TestOperator | null, path: string) =>
  app.request(path, { headers: as ? as.headers : {} })

const campaignBody = (overrides: Record<string, unknown> = {}) => ({
  title: '2026 年集贸市场衡器专项检查',
  kind: 'market_scale',
  startsOn: '2026-12-01',
  endsOn: '2026-12-31',
  counties: [countyA],
  sectors: ['market'],
  drawSize: 4,
  inspectorsPerVisit: 2,
  ...overrides,
})

beforeAll(async () => {
  t = await createTestContext()
  app = createApp(t.deps)
  installDeps(t.deps)
  admin = await signedInOperator(t.deps, 'city_admin')
  handlersA = [
    await signedInOperator(t.deps, 'county_handler', countyA),
    await signedInOperator(t.deps, 'county_handler', countyA),
    await signedInOperator(t.deps, 'county_handler', countyA),
  ]
  handlerB = await signedInOperator(t.deps, 'county_handler', countyB)
  viewer = await signedInOperator(t.deps, 'viewer')
  const grades: Array<CreditGrade | null> = ['A', 'B', 'C', 'D', null, 'D', 'A', null]
  for (const [i, grade] of grades.entries()) businessesA.push(await addBusiness(countyA, i, grade))
  businessB = await addBusiness(countyB, 100, null)
})
afterAll(async () => {
  uninstallDeps()
  await t.cleanup()
})

describe('a campaign from creation to publication', () => {
  let campaign: CampaignDetail

  it('is created by a county handler for its own county, not drawn yet', async () => {
    const res = await post(handlersA[0]!, '/api/admin/campaigns', campaignBody({ counties: [] }))
    expect(res.status).toBe(201)
    campaign = (await res.json()) as CampaignDetail
    expect(campaign).toMatchObject({
      status: 'planned',
      ownerCountyCode: countyA,
      counties: [{ code: countyA, name: '莲都区' }],
      draw: null,
      mayDraw: true,
    })
  })

  it('is drawn once: businesses weighted by grade, two inspectors of the county, never a recused one', async () => {
    // The first handler recuses from every business: only the other two can ever be drawn.
    for (const uscc of businessesA) {
      const res = await post(handlersA[0]!, '/api/admin/recusals', {
        uscc,
        reason: '亲属在该单位任职',
      })
      expect(res.status).toBe(200)
    }
    const res = await post(admin, `/api/admin/campaigns/${campaign.id}/draw`, {
      version: campaign.version,
    })
    expect(res.status).toBe(200)
    const drawn = (await res.json()) as CampaignDetail
    expect(drawn.status).toBe('drawn')
    expect(drawn.visitList).toHaveLength(4)
    const allowed = new Set([handlersA[1]!.operator.id, handlersA[2]!.operator.id])
    for (const visit of drawn.visitList) {
      expect(visit.inspectors).toHaveLength(2)
      expect(new Set(visit.inspectors.map((i) => i.id))).toEqual(allowed)
      expect(visit.status).toBe('planned')
    }
    // Recorded: the seed, method, weights and pool with each grade (no grade yet: B).
    const draw = drawn.draw!
    expect(draw.seed).toMatch(/^[0-9a-f]{32}$/)
    expect(draw.weights).toEqual(defaultDrawWeights)
    expect(draw.pool).toHaveLength(businessesA.length)
    expect(draw.pool.find((p) => p.uscc === businessesA[4])?.grade).toBe('B')
    expect(draw.pool.find((p) => p.uscc === businessesA[3])?.grade).toBe('D')

    // Anyone re-running the published method on the published seed, pool and weights gets the
    // same businesses in the same order.
    const rerun = runDraw({
      seed: draw.seed,
      pool: draw.pool.map((p) => ({ ...p, countyCode: countyA })),
      weights: draw.weights,
      drawSize: 4,
      inspectorsPerVisit: 2,
      inspectors: [...allowed].map((id) => ({ id, countyCode: countyA })),
      recusals: [],
    })
    if (!rerun.ok) throw new Error('refused')
    expect(rerun.visits.map((v) => v.uscc)).toEqual(drawn.visitList.map((v) => v.uscc))

    const audit = await t.deps.db
      .selectFrom('auditLog')
      .select(['action', 'detail'])
      .where('action', '=', 'campaign.drawn')
      .executeTakeFirstOrThrow()
    expect(audit.detail).toMatchObject({ campaignId: campaign.id, seed: draw.seed })
    campaign = drawn
  })

  it('refuses a second draw, and a publication from a stale page', async () => {
    const again = await post(admin, `/api/admin/campaigns/${campaign.id}/draw`, {
      version: campaign.version,
    })
    expect(again.status).toBe(409)
    const stale = await post(admin, `/api/admin/campaigns/${campaign.id}/publish`, {
      version: campaign.version - 1,
      reason: '检查结束，公示结果',
    })
    expect(stale.status).toBe(409)
    expect(((await stale.json()) as { error: { message: string } }).error.message).toBe(
      staleCampaignMessage,
    )
  })

  it('has no public page before 公示, and one listing every drawn business after', async () => {
    const before = await get(null, `/api/inspections/${campaign.id}`)
    expect(before.status).toBe(404)
    // The page and its CSV (site/pages/inspections) answer 404 alike.
    expect(await loadPublicCampaign(campaign.id)).toBeUndefined()
    expect((await campaignCsvResponse(campaign.id)).status).toBe(404)
    const listed = (await (await get(null, '/api/inspections')).json()) as {
      items: unknown[]
    }
    expect(listed.items).toHaveLength(0)

    const published = await post(handlersA[1]!, `/api/admin/campaigns/${campaign.id}/publish`, {
      version: campaign.version,
      reason: '检查结束，公示结果',
    })
    expect(published.status).toBe(200)

    const after = await get(null, `/api/inspections/${campaign.id}`)
    expect(after.status).toBe(200)
    const text = await after.text()
    const page = JSON.parse(text) as PublicCampaign
    expect(page.visitList.map((v) => v.uscc)).toEqual(campaign.visitList.map((v) => v.uscc))
    expect(page.visitList.every((v) => v.resultName === '待检查')).toBe(true)
    expect(page.draw.seed).toBe(campaign.draw!.seed)
    expect(page.draw.pool).toEqual(campaign.draw!.pool)
    // Inspectors are not named publicly.
    for (const h of handlersA) expect(text).not.toContain(h.operator.username)
    const shown = await loadPublicCampaign(campaign.id)
    expect(shown?.visitList.map((v) => v.name)).toEqual(campaign.visitList.map((v) => v.name))
    const csv = await campaignCsvResponse(campaign.id)
    expect(csv.status).toBe(200)
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    const bytes = new Uint8Array(await csv.arrayBuffer())
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf])
    // (TextDecoder drops the byte-order mark, checked above.)
    const rows = new TextDecoder().decode(bytes).trim().split('\r\n')
    expect(rows[0]).toBe(
      '抽取序号,单位名称,统一社会信用代码,区县,检查日期,检查结果,整改情况,更正说明',
    )
    expect(rows).toHaveLength(campaign.visitList.length + 1)
    expect(rows[1]).toContain(campaign.visitList[0]!.uscc)
    const audit = await t.deps.db
      .selectFrom('auditLog')
      .select('detail')
      .where('action', '=', 'campaign.published')
      .executeTakeFirstOrThrow()
    expect(audit.detail).toMatchObject({ reason: '检查结束，公示结果' })
  })
})

describe('county scoping', () => {
  it('lets a county handler create for its own county only, and a viewer not at all', async () => {
    const other = await post(handlerB, '/api/admin/campaigns', campaignBody())
    expect(other.status).toBe(403)
    const byViewer = await post(viewer, '/api/admin/campaigns', campaignBody())
    expect(byViewer.status).toBe(403)
  })

  it('hides a county A campaign from the county B handler, and refuses its draw', async () => {
    const created = (await (
      await post(admin, '/api/admin/campaigns', campaignBody({ title: '城市专项' }))
    ).json()) as CampaignDetail
    expect((await get(handlerB, `/api/admin/campaigns/${created.id}`)).status).toBe(404)
    const listed = (await (await get(handlerB, '/api/admin/campaigns')).json()) as {
      items: Array<{ id: string }>
    }
    expect(listed.items.map((i) => i.id)).not.toContain(created.id)
    const drawn = await post(handlerB, `/api/admin/campaigns/${created.id}/draw`, {
      version: created.version,
    })
    expect(drawn.status).toBe(404)
    // The county's handler reads the city's campaign but may not run it.
    const byA = await post(handlersA[1]!, `/api/admin/campaigns/${created.id}/draw`, {
      version: created.version,
    })
    expect(byA.status).toBe(403)
  })
})

describe('a draw that cannot be staffed', () => {
  it('is refused, naming the county and the business, and draws nothing', async () => {
    // County B has one handler: two per visit cannot be found.
    const res = await post(
      admin,
      '/api/admin/campaigns',
      campaignBody({ counties: [countyB], drawSize: 1, title: '青田县衡器专项' }),
    )
    const created = (await res.json()) as CampaignDetail
    const drawn = await post(admin, `/api/admin/campaigns/${created.id}/draw`, {
      version: created.version,
    })
    expect(drawn.status).toBe(409)
    const { error } = (await drawn.json()) as { error: { message: string } }
    expect(error.message).toContain('青田县')
    expect(error.message).toContain(businessB)
    expect(error.message).toContain('抽查测试商行100号')
    const visits = await t.deps.db
      .selectFrom('inspectionVisits')
      .select('id')
      .where('campaignId', '=', created.id)
      .execute()
    expect(visits).toHaveLength(0)
  })
})

describe('recusals (回避)', () => {
  it('are one’s own; a city administrator may record one for anyone', async () => {
    const uscc = businessB
    const forOther = await post(handlersA[1]!, '/api/admin/recusals', {
      uscc,
      reason: '曾在该单位工作',
      operatorId: handlerB.operator.id,
    })
    expect(forOther.status).toBe(403)
    const byAdmin = await post(admin, '/api/admin/recusals', {
      uscc,
      reason: '曾在该单位工作',
      operatorId: handlerB.operator.id,
    })
    expect(byAdmin.status).toBe(200)
    const own = (await (await get(handlerB, '/api/admin/recusals')).json()) as {
      items: Array<{ uscc: string }>
    }
    expect(own.items.map((i) => i.uscc)).toEqual([uscc])
    const withdrawn = await post(handlerB, '/api/admin/recusals/withdraw', {
      uscc,
      reason: '已离职满三年',
    })
    expect(withdrawn.status).toBe(200)
    const actions = await t.deps.db
      .selectFrom('auditLog')
      .select('action')
      .where('enterpriseUscc', '=', uscc)
      .execute()
    expect(actions.map((a) => a.action).sort()).toEqual([
      'campaign.recusal_recorded',
      'campaign.recusal_withdrawn',
    ])
  })
})

describe('the publication sweep', () => {
  it('publishes a drawn campaign 20 working days after its end, not before', async () => {
    const make = async (title: string, endsOn: string) => {
      const created = (await (
        await post(
          admin,
          '/api/admin/campaigns',
          campaignBody({ title, startsOn: '2026-01-05', endsOn, drawSize: 1 }),
        )
      ).json()) as CampaignDetail
      const drawn = await post(admin, `/api/admin/campaigns/${created.id}/draw`, {
        version: created.version,
      })
      expect(drawn.status).toBe(200)
      return created.id
    }
    const longAgo = await make('年初专项', '2026-01-30')
    const recent = await make('年末专项', '2026-12-01')
    // 2026-01-30 + 20 working days (Spring Festival in between) is well before 2026-12-06;
    // 2026-12-01 + 20 working days is in 2026-12-29.
    const published = await publishDueCampaigns(t.deps, '2026-12-06')
    expect(published).toContain(longAgo)
    expect(published).not.toContain(recent)
    expect((await get(null, `/api/inspections/${longAgo}`)).status).toBe(200)
    expect((await get(null, `/api/inspections/${recent}`)).status).toBe(404)
    // Twice changes nothing.
    expect(await publishDueCampaigns(t.deps, '2026-12-06')).toEqual([])
  })
})
