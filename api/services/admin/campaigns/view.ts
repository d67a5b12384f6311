import type { Kysely } from 'kysely'
import type { Database } from '../../../../db/database.ts'
import {
  campaignVisits,
  findCampaign,
  listCampaigns,
  listInspectionKinds,
} from '../../../../db/queries/campaigns.ts'
import { listSectors } from '../../../../db/queries/enterprises.ts'
import { beijingDate } from '../../../domain/beijing-time.ts'
import { countyNames } from '../../../domain/counties.ts'
import {
  campaignStatusLabels,
  inspectionKindLabels,
  visitStatusLabels,
} from '../../../domain/credit.ts'
import type { ServiceContext } from '../../../deps.ts'
import { ApiError } from '../../../errors.ts'
import type { SignedInOperator } from '../access.ts'
import { campaignNotFoundMessage, mayManageCampaign, mayReadCampaign } from './access.ts'
import type { CampaignDetail, CampaignList } from './schemas.ts'

/** A kind's name: the six of 专栏11 by their labels, an added one by its stored name. */
async function kindNames(db: Kysely<Database>): Promise<Map<string, string>> {
  const labels: Partial<Record<string, string>> = inspectionKindLabels
  const rows = await listInspectionKinds(db)
  return new Map(rows.map((r) => [r.code, labels[r.code] ?? r.name]))
}

const countiesOf = (codes: readonly string[]) =>
  codes.map((code) => ({ code, name: countyNames[code] ?? code }))

/** 专项检查 in the operator's scope, newest first, with what is overdue. */
export async function listCampaignsFor({
  ctx,
  operator,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
}): Promise<CampaignList> {
  const today = beijingDate()
  const [rows, kinds] = await Promise.all([
    listCampaigns(ctx.db, operator.countyCode, today),
    kindNames(ctx.db),
  ])
  return {
    items: rows.map((r) => ({
      id: r.id,
      title: r.title,
      kind: r.kind,
      kindName: kinds.get(r.kind) ?? r.kind,
      startsOn: r.startsOn,
      endsOn: r.endsOn,
      counties: countiesOf(r.countyCodes),
      status: r.status,
      statusName: campaignStatusLabels[r.status],
      drawSize: r.drawSize,
      visits: r.visits,
      recorded: r.recorded,
      overduePlanned: r.overduePlanned,
      overdueRectification: r.overdueRectification,
      published: r.publishedAt !== null,
    })),
  }
}

/** What is overdue about one visit, in the words the console shows. */
function overdueOf(
  v: { status: string; rectificationDue: string | null; followUpOn: string | null },
  endsOn: string,
  today: string,
): string | null {
  if (v.status === 'planned' && endsOn < today) return `专项检查已于 ${endsOn} 结束，仍未检查`
  if (
    v.status === 'rectifying' &&
    v.followUpOn === null &&
    v.rectificationDue !== null &&
    v.rectificationDue < today
  ) {
    return `整改期限 ${v.rectificationDue} 已过，尚未复查`
  }
  return null
}

/** One campaign with its draw and visits; out of the operator's scope it is not found. */
export async function getCampaignFor({
  ctx,
  operator,
  id,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  id: string
}): Promise<CampaignDetail> {
  const campaign = await findCampaign(ctx.db, id)
  if (!campaign || !mayReadCampaign(operator, campaign)) {
    throw new ApiError('NOT_FOUND', campaignNotFoundMessage)
  }
  const today = beijingDate()
  const [visits, kinds, sectors] = await Promise.all([
    campaignVisits(ctx.db, id),
    kindNames(ctx.db),
    listSectors(ctx.db),
  ])
  // A county's operator sees its own county's visits of a city-wide campaign, as with cases.
  const shown = visits.filter(
    (v) => operator.countyCode === null || v.countyCode === operator.countyCode,
  )
  const withOverdue = visits.map((v) => overdueOf(v, campaign.endsOn, today))
  const sectorName = new Map(sectors.map((s) => [s.code, s.name]))
  return {
    id: campaign.id,
    title: campaign.title,
    kind: campaign.kind,
    kindName: kinds.get(campaign.kind) ?? campaign.kind,
    startsOn: campaign.startsOn,
    endsOn: campaign.endsOn,
    counties: countiesOf(campaign.countyCodes),
    sectors: campaign.sectorCodes.map((code) => ({ code, name: sectorName.get(code) ?? code })),
    status: campaign.status,
    statusName: campaignStatusLabels[campaign.status],
    drawSize: campaign.drawSize,
    inspectorsPerVisit: campaign.inspectorsPerVisit,
    ownerCountyCode: campaign.ownerCountyCode,
    version: campaign.version,
    visits: visits.length,
    recorded: visits.filter((v) => v.status !== 'planned').length,
    overduePlanned: visits.filter((v, i) => v.status === 'planned' && withOverdue[i]).length,
    overdueRectification: visits.filter((v, i) => v.status === 'rectifying' && withOverdue[i])
      .length,
    published: campaign.publishedAt !== null,
    publishedAt: campaign.publishedAt?.toISOString() ?? null,
    draw:
      campaign.drawnAt && campaign.drawSeed && campaign.drawMethod
        ? {
            drawnAt: campaign.drawnAt.toISOString(),
            seed: campaign.drawSeed,
            method: campaign.drawMethod,
            weights: campaign.drawWeights!,
            pool: campaign.drawPool!,
          }
        : null,
    visitList: shown.map((v) => ({
      id: v.id,
      rank: v.drawRank,
      uscc: v.uscc,
      name: v.name,
      countyName: v.countyName,
      status: v.status,
      statusName: visitStatusLabels[v.status],
      visitedOn: v.visitedOn,
      result: v.result,
      rectificationDue: v.rectificationDue,
      followUpOn: v.followUpOn,
      inspectors: v.inspectors,
      overdue: overdueOf(v, campaign.endsOn, today),
    })),
    visitsElsewhere: visits.length - shown.length,
    mayDraw: campaign.status === 'planned' && mayManageCampaign(operator, campaign),
    mayPublish:
      campaign.status !== 'planned' &&
      campaign.publishedAt === null &&
      mayManageCampaign(operator, campaign),
  }
}

/** What the new-campaign form offers: the inspection kinds, sectors and counties. */
export async function campaignFormOptions(ctx: ServiceContext) {
  const [kinds, sectors] = await Promise.all([kindNames(ctx.db), listSectors(ctx.db)])
  return {
    kinds: [...kinds].map(([value, label]) => ({ value, label })),
    sectors: sectors.map((s) => ({ value: s.code, label: s.name })),
    counties: Object.entries(countyNames).map(([value, label]) => ({ value, label })),
  }
}
