import { consoleHistory } from '../../../../db/queries/enterprise-changes.ts'
import { findEnterprise, findEnterpriseRows } from '../../../../db/queries/enterprises.ts'
import type { ServiceContext } from '../../../deps.ts'
import { ApiError } from '../../../errors.ts'
import { toItem } from '../../enterprises/list.ts'
import { allowedActions } from './actions.ts'
import { versionOf } from './access.ts'
import type { ConsoleEnterprise } from './schemas.ts'

/**
 * One business as the console shows it: its facts, full history, version and allowed actions.
 * For city administrators: callers are the enterprise verbs and the page behind enterpriseAdmins.
 */
export async function getConsoleEnterprise({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { uscc: string }
}): Promise<ConsoleEnterprise> {
  const [view, [row], history] = await Promise.all([
    findEnterprise(ctx.db, input.uscc),
    findEnterpriseRows(ctx.db, [input.uscc]),
    consoleHistory(ctx.db, input.uscc),
  ])
  if (!view || !row) {
    throw new ApiError(
      'NOT_FOUND',
      `未找到统一社会信用代码为 ${input.uscc} 的诚信计量单位，请核对代码或在列表中搜索。`,
    )
  }
  return {
    ...toItem(view),
    isDemo: view.isDemo,
    version: versionOf(row),
    allowedActions: allowedActions(row.status),
    history: history.map((h) => ({
      kind: h.kind,
      occurredOn: h.occurredOn,
      validUntil: h.validUntil,
      reason: h.reason,
      source: h.source,
      recordedAt: h.createdAt.toISOString(),
    })),
  }
}
