import {
  deleteThreshold,
  listThresholds,
  upsertThreshold,
} from '../../../../db/queries/warnings-console.ts'
import type { ServiceContext } from '../../../deps.ts'
import { ApiError } from '../../../errors.ts'
import { countyNames } from '../../../domain/counties.ts'
import type { SignedInOperator } from '../access.ts'
import { recordAudit } from '../audit.ts'
import type { ThresholdInput, ThresholdList } from './schemas.ts'
import { toThresholdView } from './view.ts'

// The fixed thresholds (warning_thresholds) the bureau sets beside the statistical rule: one per
// subject kind for the whole city (county empty) and, where a county needs its own, per county.
// Detection reads them; the console only keeps the rows.

export async function listThresholdsForConsole({
  ctx,
}: {
  ctx: ServiceContext
}): Promise<ThresholdList> {
  const rows = await listThresholds(ctx.db)
  return { items: rows.map(toThresholdView) }
}

/** Sets (or replaces) the threshold of a kind for a county or the whole city; audited. */
export async function setThreshold({
  ctx,
  operator,
  input,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: { threshold: ThresholdInput; clientAddress: string }
}): Promise<ThresholdList> {
  const { threshold } = input
  const countyCode = threshold.county ?? null
  if (countyCode !== null && !(countyCode in countyNames)) {
    throw new ApiError('VALIDATION_FAILED', '没有这个区县，请从列表中选择。', [
      { field: 'county', message: '没有这个区县，请从列表中选择。' },
    ])
  }
  await ctx.db.transaction().execute(async (trx) => {
    const { id, before } = await upsertThreshold(trx, {
      subjectKind: threshold.subjectKind,
      countyCode,
      windowHours: threshold.windowHours,
      minCount: threshold.minCount,
      severity: threshold.severity,
      updatedBy: operator.id,
    })
    await recordAudit(trx, {
      operator,
      action: 'warning.threshold_set',
      clientAddress: input.clientAddress,
      detail: {
        thresholdId: id,
        subjectKind: threshold.subjectKind,
        countyCode,
        windowHours: threshold.windowHours,
        minCount: threshold.minCount,
        severity: threshold.severity,
        ...(before
          ? {
              before: {
                windowHours: before.windowHours,
                minCount: before.minCount,
                severity: before.severity,
              },
            }
          : {}),
      },
    })
  })
  return listThresholdsForConsole({ ctx })
}

/** Removes a threshold: detection falls back to the city-wide one, or to the statistical rule. */
export async function removeThreshold({
  ctx,
  operator,
  input,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: { id: string; clientAddress: string }
}): Promise<ThresholdList> {
  await ctx.db.transaction().execute(async (trx) => {
    const gone = await deleteThreshold(trx, input.id)
    if (!gone) throw new ApiError('NOT_FOUND', '没有找到这条阈值设置，可能已被删除。请刷新页面。')
    await recordAudit(trx, {
      operator,
      action: 'warning.threshold_removed',
      clientAddress: input.clientAddress,
      detail: {
        thresholdId: gone.id,
        subjectKind: gone.subjectKind,
        countyCode: gone.countyCode,
        windowHours: gone.windowHours,
        minCount: gone.minCount,
        severity: gone.severity,
      },
    })
  })
  return listThresholdsForConsole({ ctx })
}
