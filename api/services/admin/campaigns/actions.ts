import { randomBytes } from 'node:crypto'
import { drawWeightsOf } from '../../../config.ts'
import type { z } from 'zod'
import {
  drawableInspectors,
  drawPool,
  insertCampaign,
  listInspectionKinds,
  lockCampaign,
  markCampaignPublished,
  recordDraw,
  recusalsOf,
} from '../../../../db/queries/campaigns.ts'
import { findBusiness } from '../../../../db/queries/credit-record.ts'
import { listSectors } from '../../../../db/queries/enterprises.ts'
import { countyNames } from '../../../domain/counties.ts'
import { defaultCreditGrade } from '../../../domain/credit.ts'
import { drawMethod, runDraw } from '../../../domain/draw.ts'
import type { ServiceContext } from '../../../deps.ts'
import { ApiError } from '../../../errors.ts'
import type { SignedInOperator } from '../access.ts'
import { recordAudit } from '../audit.ts'
import {
  campaignNotFoundMessage,
  mayManageCampaign,
  requireCampaignManager,
  staleCampaignMessage,
} from './access.ts'
import type { CreateCampaignInput, drawCampaignSchema, publishCampaignSchema } from './schemas.ts'

const fieldRefusal = (field: string, message: string) =>
  new ApiError('VALIDATION_FAILED', message, [{ field, message }])

/**
 * 新建专项检查. A county handler's campaign covers its own county and is its county's to run;
 * a city administrator's may cover any counties.
 */
export async function createCampaign({
  ctx,
  operator,
  input,
  clientAddress,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: CreateCampaignInput
  clientAddress: string
}): Promise<{ id: string }> {
  requireCampaignManager(operator)
  const own = operator.role === 'city_admin' ? null : operator.countyCode
  let counties: string[] = input.counties
  if (own !== null) {
    if (counties.some((c) => c !== own)) {
      throw new ApiError(
        'FORBIDDEN',
        `您只能为${countyNames[own] ?? own}新建专项检查；跨区县的专项检查请由市局管理员新建。`,
      )
    }
    counties = [own]
  } else if (counties.length === 0) {
    throw fieldRefusal('counties', '请至少选择一个区县')
  }
  const [kinds, sectors] = await Promise.all([listInspectionKinds(ctx.db), listSectors(ctx.db)])
  if (!kinds.some((k) => k.code === input.kind)) {
    throw fieldRefusal('kind', '请从列表中选择检查类别')
  }
  const unknownSector = input.sectors.find((s) => !sectors.some((x) => x.code === s))
  if (unknownSector) throw fieldRefusal('sectors', '请从列表中选择行业')
  return ctx.db.transaction().execute(async (trx) => {
    const id = await insertCampaign(trx, {
      title: input.title,
      kind: input.kind,
      startsOn: input.startsOn,
      endsOn: input.endsOn,
      countyCodes: [...new Set(counties)].sort(),
      sectorCodes: [...new Set(input.sectors)].sort(),
      drawSize: input.drawSize,
      inspectorsPerVisit: input.inspectorsPerVisit,
      ownerCountyCode: own,
      createdBy: operator.id,
    })
    await recordAudit(trx, {
      operator,
      action: 'campaign.created',
      clientAddress,
      detail: { campaignId: id, title: input.title, counties, drawSize: input.drawSize },
    })
    return { id }
  })
}

/** The locked campaign the operator may run, at the version their page read. */
async function campaignToRun(
  trx: Parameters<typeof lockCampaign>[0],
  operator: SignedInOperator,
  id: string,
  version: number,
) {
  const campaign = await lockCampaign(trx, id)
  if (
    !campaign ||
    (operator.countyCode !== null && !campaign.countyCodes.includes(operator.countyCode))
  ) {
    throw new ApiError('NOT_FOUND', campaignNotFoundMessage)
  }
  if (!mayManageCampaign(operator, campaign)) {
    throw new ApiError(
      'FORBIDDEN',
      '这个专项检查由市局或其他区县组织，只能由组织者抽取和公示；您可以查看。',
    )
  }
  if (campaign.version !== version) {
    throw new ApiError('CONFLICT', staleCampaignMessage, { reason: 'stale_version' })
  }
  return campaign
}

/**
 * 双随机 draw, once per campaign: the pool read now (grades as they are now, B for a business
 * without one), a fresh seed from crypto randomness, the visits and their inspectors, all
 * recorded with the method and weights in one transaction and audited. Too few inspectors in a
 * drawn business's county refuses the whole draw, naming them.
 */
export async function drawCampaign({
  ctx,
  operator,
  id,
  input,
  clientAddress,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  id: string
  input: z.infer<typeof drawCampaignSchema>
  clientAddress: string
}): Promise<void> {
  requireCampaignManager(operator)
  const weights = drawWeightsOf(ctx.config)
  const refusal = await ctx.db.transaction().execute(async (trx) => {
    const campaign = await campaignToRun(trx, operator, id, input.version)
    if (campaign.status !== 'planned') {
      throw new ApiError('CONFLICT', '这个专项检查已经抽取过，每个专项检查只能抽取一次。', {
        reason: 'already_drawn',
      })
    }
    const pool = await drawPool(trx, campaign.countyCodes, campaign.sectorCodes)
    if (pool.length === 0) {
      throw new ApiError(
        'CONFLICT',
        '所选区县和行业内没有可抽取的单位（有效的诚信计量单位或已登记的市场主体），无法抽取。',
        { reason: 'empty_pool' },
      )
    }
    const inspectors = await drawableInspectors(trx, campaign.countyCodes)
    const recusals = await recusalsOf(
      trx,
      pool.map((p) => p.uscc),
    )
    const seed = randomBytes(16).toString('hex')
    const outcome = runDraw({
      seed,
      pool: pool.map((p) => ({
        uscc: p.uscc,
        countyCode: p.countyCode,
        grade: p.grade ?? defaultCreditGrade,
      })),
      weights,
      drawSize: campaign.drawSize,
      inspectorsPerVisit: campaign.inspectorsPerVisit,
      inspectors,
      recusals,
    })
    if (!outcome.ok) return { outcome, inspectorsPerVisit: campaign.inspectorsPerVisit }
    const at = new Date()
    await recordDraw(trx, id, {
      at,
      seed,
      method: drawMethod,
      weights,
      pool: outcome.pool.map((p) => ({ uscc: p.uscc, grade: p.grade })),
      visits: outcome.visits,
    })
    await recordAudit(trx, {
      operator,
      action: 'campaign.drawn',
      clientAddress,
      detail: {
        campaignId: id,
        seed,
        method: drawMethod,
        weights,
        poolSize: outcome.pool.length,
        drawn: outcome.visits.map((v) => v.uscc),
      },
    })
    return null
  })
  if (refusal) {
    const { outcome, inspectorsPerVisit } = refusal
    const business = await findBusiness(ctx.db, outcome.uscc)
    const county = countyNames[outcome.countyCode] ?? outcome.countyCode
    throw new ApiError(
      'CONFLICT',
      `${county}可抽取的检查人员不足：${business?.name ?? ''}（${outcome.uscc}）每户需要 ` +
        `${inspectorsPerVisit} 名检查人员，${county}启用的区县执法人员中未回避该单位的只有 ` +
        `${outcome.eligible} 名。请先为${county}增加执法人员账号，或核实回避后再抽取。没有抽取任何单位。`,
      { reason: 'too_few_inspectors', uscc: outcome.uscc, county: outcome.countyCode },
    )
  }
}

/**
 * 公示: the campaign's results page is public from now, with the draw and every visit's result.
 * Changes what the public sees, so it takes a reason, kept in the audit log.
 */
export async function publishCampaign({
  ctx,
  operator,
  id,
  input,
  clientAddress,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  id: string
  input: z.infer<typeof publishCampaignSchema>
  clientAddress: string
}): Promise<void> {
  requireCampaignManager(operator)
  await ctx.db.transaction().execute(async (trx) => {
    const campaign = await campaignToRun(trx, operator, id, input.version)
    if (campaign.status === 'planned') {
      throw new ApiError('CONFLICT', '请先抽取，再公示结果。', { reason: 'not_drawn' })
    }
    if (campaign.publishedAt !== null) {
      throw new ApiError('CONFLICT', '这个专项检查的结果已经公示。', { reason: 'published' })
    }
    await markCampaignPublished(trx, id, new Date())
    await recordAudit(trx, {
      operator,
      action: 'campaign.published',
      clientAddress,
      detail: { campaignId: id, reason: input.reason },
    })
  })
}
