import { enqueueCreditRecompute } from '../../../../db/queries/credit-record.ts'
import { insertCommitment, withdrawCommitment } from '../../../../db/queries/credit-console.ts'
import type { ServiceContext } from '../../../deps.ts'
import { ApiError } from '../../../errors.ts'
import { beijingDate } from '../../../domain/beijing-time.ts'
import type { SignedInOperator } from '../access.ts'
import { recordAudit } from '../audit.ts'
import { businessInScope } from './access.ts'
import type { CommitmentInput } from './schemas.ts'

/** A field's refusal as the forms show it next to the field. */
const refuse = (field: string, message: string) =>
  new ApiError('VALIDATION_FAILED', message, [{ field, message }])

/**
 * Checks a commitment against what the rules say beyond its shape: the version is a published
 * text, and it was not signed in the future (the list import checks the same in its own words).
 */
function commitmentProblem(
  input: Pick<CommitmentInput, 'textVersion' | 'signedOn'>,
  today: string,
  versions: readonly string[],
): { field: 'textVersion' | 'signedOn'; message: string } | undefined {
  if (!versions.includes(input.textVersion)) {
    return {
      field: 'textVersion',
      message: `没有已发布的承诺书版本“${input.textVersion}”，请选择：${versions.join('、')}`,
    }
  }
  if (input.signedOn > today) {
    return { field: 'signedOn', message: `签署日期 ${input.signedOn} 晚于今天（${today}），请核对` }
  }
  return undefined
}

/**
 * 记录自我承诺 for a business in the operator's scope. In one transaction: the commitment (the
 * latest not withdrawn is the one in force), the grade's recompute and the audit entry. The site
 * rebuilder wakes on the commit (commitments' site_data trigger).
 */
export async function recordCommitment({
  ctx,
  operator,
  input,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: { uscc: string; commitment: CommitmentInput; clientAddress: string }
}): Promise<{ id: string }> {
  const business = await businessInScope(ctx, operator, input.uscc)
  const problem = commitmentProblem(input.commitment, beijingDate(), ctx.commitmentVersions)
  if (problem) throw refuse(problem.field, problem.message)
  return ctx.db.transaction().execute(async (trx) => {
    const id = await insertCommitment(trx, {
      uscc: business.uscc,
      ...input.commitment,
      source: `console:${operator.username}`,
      recordedBy: operator.id,
    })
    await enqueueCreditRecompute(trx, [business.uscc], 'commitment')
    await recordAudit(trx, {
      operator,
      action: 'credit.commitment_recorded',
      enterpriseUscc: business.uscc,
      clientAddress: input.clientAddress,
      detail: { commitmentId: id, ...input.commitment },
    })
    return { id }
  })
}

/**
 * 撤回承诺 with a reason (kept beside it and in the audit log): the business then has the
 * commitment signed before it, if any, or none. Withdrawing one already withdrawn is refused.
 */
export async function withdrawCommitmentOf({
  ctx,
  operator,
  input,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: { uscc: string; commitmentId: string; reason: string; clientAddress: string }
}): Promise<void> {
  const business = await businessInScope(ctx, operator, input.uscc)
  await ctx.db.transaction().execute(async (trx) => {
    const withdrawn = await withdrawCommitment(trx, {
      id: input.commitmentId,
      uscc: business.uscc,
      reason: input.reason,
      by: operator.id,
    })
    if (!withdrawn) {
      throw new ApiError(
        'CONFLICT',
        '这份承诺已撤回或不存在（可能已被他人撤回），请刷新页面查看最新记录。',
        { reason: 'stale_version' },
      )
    }
    await enqueueCreditRecompute(trx, [business.uscc], 'commitment')
    await recordAudit(trx, {
      operator,
      action: 'credit.commitment_withdrawn',
      enterpriseUscc: business.uscc,
      clientAddress: input.clientAddress,
      detail: { commitmentId: input.commitmentId, reason: input.reason },
    })
  })
}
