import {
  publicCampaignVisits,
  publishedCampaign,
  publishedCampaigns,
} from '../../../db/queries/campaigns.ts'
import { listSectors } from '../../../db/queries/enterprises.ts'
import { beijingDate, beijingIso } from '../../domain/beijing-time.ts'
import { countyNames } from '../../domain/counties.ts'
import { csvOf } from '../../domain/csv.ts'
import {
  followUpResultLabels,
  inspectionKindLabels,
  visitResultLabels,
} from '../../domain/credit.ts'
import type { ServiceContext } from '../../deps.ts'
import { ApiError } from '../../errors.ts'
import type { PublicCampaign, PublicCampaignList } from './schemas.ts'

const countiesOf = (codes: readonly string[]) =>
  codes.map((code) => ({ code, name: countyNames[code] ?? code }))

const labels: Partial<Record<string, string>> = inspectionKindLabels
const kindName = (code: string, stored: string) => labels[code] ?? stored

const campaignNotPublishedMessage = '没有找到这个专项检查的公示结果：编号有误，或结果尚未公示。'

/** Published campaigns, newest first (/inspections). */
export async function listPublicCampaigns({
  ctx,
}: {
  ctx: ServiceContext
}): Promise<PublicCampaignList> {
  const rows = await publishedCampaigns(ctx.db)
  return {
    items: rows.map((r) => ({
      id: r.id,
      title: r.title,
      kind: r.kind,
      kindName: kindName(r.kind, r.kindName),
      startsOn: r.startsOn,
      endsOn: r.endsOn,
      counties: countiesOf(r.countyCodes),
      publishedOn: beijingDate(r.publishedAt!),
      visits: r.visits,
      failed: r.failed,
    })),
  }
}

/** What became of an order to rectify, in the words the public page and the CSV use. */
function rectificationOf(v: {
  hasResult: boolean
  result: string | null
  rectificationDue: string | null
  followUpOn: string | null
  followUpResult: 'rectified' | 'not_rectified' | null
}): string {
  if (!v.hasResult) return '—'
  if (v.followUpOn && v.followUpResult) {
    return `${followUpResultLabels[v.followUpResult]}（${v.followUpOn} 复查）`
  }
  if (v.rectificationDue) return `整改中（期限 ${v.rectificationDue}）`
  return v.result === 'fail' ? '—' : '无需整改'
}

/**
 * One published campaign with its draw and every visit's result (/inspections/{id}); a campaign
 * not published yet is not found, exactly as an unknown one.
 */
export async function getPublicCampaign({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { id: string }
}): Promise<PublicCampaign> {
  const campaign = await publishedCampaign(ctx.db, input.id)
  if (!campaign?.publishedAt || !campaign.drawnAt || !campaign.drawSeed) {
    throw new ApiError('NOT_FOUND', campaignNotPublishedMessage)
  }
  const [visits, sectors] = await Promise.all([
    publicCampaignVisits(ctx.db, campaign.id),
    listSectors(ctx.db),
  ])
  const sectorName = new Map(sectors.map((s) => [s.code, s.name]))
  return {
    id: campaign.id,
    title: campaign.title,
    kind: campaign.kind,
    kindName: kindName(campaign.kind, campaign.kindName),
    startsOn: campaign.startsOn,
    endsOn: campaign.endsOn,
    counties: countiesOf(campaign.countyCodes),
    sectors: campaign.sectorCodes.map((code) => ({ code, name: sectorName.get(code) ?? code })),
    publishedOn: beijingDate(campaign.publishedAt),
    visits: visits.length,
    failed: visits.filter((v) => v.hasResult && v.result === 'fail').length,
    draw: {
      drawnAt: beijingIso(campaign.drawnAt),
      seed: campaign.drawSeed,
      method: campaign.drawMethod!,
      weights: campaign.drawWeights!,
      drawSize: campaign.drawSize,
      pool: campaign.drawPool!,
    },
    visitList: visits.map((v) => ({
      rank: v.drawRank,
      uscc: v.uscc,
      name: v.name,
      countyName: v.countyName,
      visitedOn: v.hasResult ? v.visitedOn : null,
      result: v.hasResult ? v.result : null,
      resultName: v.hasResult && v.result ? visitResultLabels[v.result] : '待检查',
      rectification: rectificationOf(v),
      correction: v.correctionNote ?? null,
    })),
  }
}

/**
 * The campaign page's rows as CSV: UTF-8 with a byte-order mark so Excel and WPS open it in
 * Chinese without asking, CRLF line ends.
 */
export function campaignCsv(campaign: PublicCampaign): string {
  const header = [
    '抽取序号',
    '单位名称',
    '统一社会信用代码',
    '区县',
    '检查日期',
    '检查结果',
    '整改情况',
    '更正说明',
  ]
  const rows = campaign.visitList.map((v) => [
    String(v.rank),
    v.name,
    v.uscc,
    v.countyName,
    v.visitedOn ?? '',
    v.resultName,
    v.rectification,
    v.correction ?? '',
  ])
  return csvOf([header, ...rows])
}
