import {
  unpublishedEndedCampaigns,
  markCampaignPublished,
} from '../../../../db/queries/campaigns.ts'
import { beijingDate } from '../../../domain/beijing-time.ts'
import { addWorkingDays } from '../../../domain/working-days.ts'
import type { Deps } from '../../../deps.ts'
import { recordAudit } from '../audit.ts'

/** Results are public within 20 working days of the visit (issue 22, point 8). */
const resultsDueWorkingDays = 20

/**
 * The day a campaign's results page is due: 20 working days after the later of its end and its
 * last recorded visit.
 */
function resultsDueOn(
  calendar: Deps['calendar'],
  campaign: { endsOn: string; lastVisitOn: string | null },
): string {
  const from =
    campaign.lastVisitOn && campaign.lastVisitOn > campaign.endsOn
      ? campaign.lastVisitOn
      : campaign.endsOn
  return addWorkingDays(calendar, from, resultsDueWorkingDays)
}

/**
 * The sweep's 公示: publishes every drawn campaign whose results are due and that no handler has
 * published yet, each audited as the system's. Returns the ids published.
 */
export async function publishDueCampaigns(
  deps: Pick<Deps, 'db' | 'calendar'>,
  today = beijingDate(),
): Promise<string[]> {
  const candidates = await unpublishedEndedCampaigns(deps.db, today)
  const due = candidates.filter((c) => resultsDueOn(deps.calendar, c) <= today)
  const published: string[] = []
  for (const c of due) {
    const done = await deps.db.transaction().execute(async (trx) => {
      if (!(await markCampaignPublished(trx, c.id, new Date()))) return false
      await recordAudit(trx, {
        operator: null,
        username: 'system',
        action: 'campaign.published',
        detail: {
          campaignId: c.id,
          reason: `结果公示期限已到（最后检查或结束后 ${resultsDueWorkingDays} 个工作日），自动公示`,
        },
      })
      return true
    })
    if (done) published.push(c.id)
  }
  return published
}
