import type { z } from 'zod'
import type { Enterprise } from '../../../../db/database.ts'
import {
  insertCertificationEvents,
  updateEnterprise,
} from '../../../../db/queries/enterprise-changes.ts'
import { listCounties, listSectors, lockEnterprises } from '../../../../db/queries/enterprises.ts'
import { enqueue } from '../../../../db/queries/outbox.ts'
import { enqueueCreditRecompute } from '../../../../db/queries/credit-record.ts'
import type { ServiceContext } from '../../../deps.ts'
import { ApiError } from '../../../errors.ts'
import { enterpriseChangedTopic, enterpriseKey } from '../../../search/enterprise-indexer.ts'
import { beijingDate } from '../../../domain/beijing-time.ts'
import { issueDetails } from '../../../validation.ts'
import type { SignedInOperator } from '../access.ts'
import { recordAudit } from '../audit.ts'
import { allowedActions, InvalidChange, planChange, RefusedTransition } from './actions.ts'
import { versionOf } from './access.ts'
import { enterpriseChangeSchema, type EnterpriseChange } from './schemas.ts'

export interface ChangeEnterpriseInput {
  operator: SignedInOperator
  uscc: string
  /** The action and its fields, as JSON or a form sent them; checked here. */
  fields: unknown
  clientAddress?: string | undefined
}

export interface ChangeOutcome {
  uscc: string
  status: Enterprise['status']
  version: string
}

/** What an action on a code no business has is told. */
export const enterpriseNotFoundMessage = (uscc: string) =>
  `未找到统一社会信用代码为 ${uscc} 的诚信计量单位。`

/** A refused form or body, its message the fields' own messages (they say how to fix them). */
function invalidChange(error: z.ZodError): ApiError {
  const details = issueDetails(error)
  return new ApiError('VALIDATION_FAILED', `${details.map((d) => d.message).join('；')}。`, details)
}

function parseChange(fields: unknown): EnterpriseChange {
  const parsed = enterpriseChangeSchema.safeParse(fields)
  if (parsed.success) return parsed.data
  throw invalidChange(parsed.error)
}

/** An edit may only name a county and a sector the directory knows. */
async function checkCodes(ctx: ServiceContext, change: EnterpriseChange) {
  if (change.action !== 'edit') return
  if (change.county && !(await listCounties(ctx.db)).some((c) => c.code === change.county)) {
    throw new ApiError(
      'VALIDATION_FAILED',
      `没有代码为 ${change.county} 的区县，请从列表中选择。`,
      [{ field: 'county', message: '请从列表中选择区县' }],
    )
  }
  if (change.sector && !(await listSectors(ctx.db)).some((s) => s.code === change.sector)) {
    throw new ApiError(
      'VALIDATION_FAILED',
      `没有代码为 ${change.sector} 的行业，请从列表中选择。`,
      [{ field: 'sector', message: '请从列表中选择行业' }],
    )
  }
}

function planOrRefuse(row: Enterprise, change: EnterpriseChange, today: string) {
  try {
    return planChange(row, change, today)
  } catch (error) {
    if (error instanceof RefusedTransition) {
      throw new ApiError('CONFLICT', error.message, {
        reason: 'transition',
        status: row.status,
        allowedActions: allowedActions(row.status),
      })
    }
    if (error instanceof InvalidChange) {
      throw new ApiError('VALIDATION_FAILED', error.message, [
        { field: error.field ?? '', message: error.message },
      ])
    }
    throw error
  }
}

function staleRefusal(row: Enterprise) {
  return new ApiError(
    'CONFLICT',
    '该单位的信息在您打开页面后已被他人修改，本次操作没有保存。请查看最新信息后重新操作。',
    {
      reason: 'stale',
      status: row.status,
      version: versionOf(row),
      allowedActions: allowedActions(row.status),
    },
  )
}

/**
 * Suspends, reinstates, revokes, renews or edits one business for a city administrator. In one
 * transaction: the business's row, its certification history, the outbox message that refreshes
 * its search document and the audit entry; the static pages follow through the site rebuilder,
 * which the commit wakes (db/migrations/2026-11-27T1703-enterprise-publishing.ts). The form's
 * version (the row's updated_at when it was read) must still be current: two administrators
 * acting on one business get one success and one 409, never a silent overwrite.
 */
export async function changeEnterprise({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: ChangeEnterpriseInput
}): Promise<ChangeOutcome> {
  const change = parseChange(input.fields)
  await checkCodes(ctx, change)
  const today = beijingDate()
  const source = `console:${input.operator.username}`

  return ctx.db.transaction().execute(async (trx) => {
    const [row] = await lockEnterprises(trx, [input.uscc])
    if (!row) {
      throw new ApiError('NOT_FOUND', enterpriseNotFoundMessage(input.uscc))
    }
    if (versionOf(row) !== change.version) throw staleRefusal(row)
    const plan = planOrRefuse(row, change, today)
    // Strictly later than the version read, even within one millisecond.
    const updatedAt = new Date(Math.max(Date.now(), row.updatedAt.getTime() + 1))
    await updateEnterprise(trx, row.uscc, { ...plan.set, updatedAt })
    await insertCertificationEvents(
      trx,
      plan.events.map((e) => ({ uscc: row.uscc, ...e, reason: e.reason ?? change.reason, source })),
    )
    await enqueue(trx, [
      {
        topic: enterpriseChangedTopic,
        aggregateKey: enterpriseKey(row.uscc),
        payload: { uscc: row.uscc, source },
      },
    ])
    // Certification status is one of the credit grade's inputs.
    await enqueueCreditRecompute(trx, [row.uscc], source)
    const status = plan.set.status ?? row.status
    await recordAudit(trx, {
      operator: input.operator,
      action: `enterprise.${change.action}`,
      enterpriseUscc: row.uscc,
      ...(input.clientAddress ? { clientAddress: input.clientAddress } : {}),
      detail: {
        reason: change.reason,
        statusFrom: row.status,
        statusTo: status,
        ...(plan.set.validUntil ? { validUntil: plan.set.validUntil } : {}),
        ...(plan.fields.length > 0 ? { fields: plan.fields } : {}),
      },
    })
    return { uscc: row.uscc, status, version: updatedAt.toISOString() }
  })
}
