import { enqueueCreditRecompute } from '../../../../db/queries/credit-record.ts'
import { takeDownPenaltiesBefore } from '../../../../db/queries/penalties.ts'
import type { Deps } from '../../../deps.ts'
import { beijingDate } from '../../../domain/beijing-time.ts'
import { recordAudit } from '../audit.ts'

/**
 * The hourly sweep's take-down (issue 22, point 6): every penalty whose publication period ended
 * (its last public day is before today, Beijing) leaves the public record and the grade. In one
 * transaction: `taken_down_at`, an audit entry per penalty (as `system`) and the grade's
 * recompute. The console keeps listing it, marked 已撤下公示.
 */
export async function takeDownPenaltiesPastPeriod(
  deps: Pick<Deps, 'db' | 'logger'>,
  now: Date = new Date(),
): Promise<number> {
  const taken = await deps.db.transaction().execute(async (trx) => {
    const rows = await takeDownPenaltiesBefore(trx, beijingDate(now), now)
    for (const row of rows) {
      await recordAudit(trx, {
        operator: null,
        username: 'system',
        action: 'penalty.taken_down',
        enterpriseUscc: row.uscc,
        detail: { penaltyId: row.id, decisionNo: row.decisionNo, publishUntil: row.publishUntil },
      })
    }
    await enqueueCreditRecompute(
      trx,
      rows.map((r) => r.uscc),
      'penalty:taken_down',
    )
    return rows.length
  })
  if (taken > 0) deps.logger.info({ taken }, 'penalties past their publication period taken down')
  return taken
}
