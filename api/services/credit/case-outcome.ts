import type { Transaction } from 'kysely'
import type { Database } from '../../../db/database.ts'
import { caseOutcomeFacts, type CaseOutcomeFacts } from '../../../db/queries/case-outcomes.ts'
import { enqueueCreditRecompute, ensureMarketEntity } from '../../../db/queries/credit-record.ts'
import { publicFindings } from '../../domain/credit.ts'
import { maskPersonalNumbers } from '../../domain/masks.ts'
import { isValidUscc } from '../../domain/uscc.ts'

/**
 * The business a case names by credit code: the certified one it was matched to, else the code
 * the resident or the hotline gave, when it is a valid one (a mistyped code names nobody).
 */
function businessOfCase(c: Pick<CaseOutcomeFacts, 'enterpriseUscc' | 'merchantUscc'>) {
  if (c.enterpriseUscc) return c.enterpriseUscc
  const given = c.merchantUscc?.trim().toUpperCase()
  return given && isValidUscc(given) ? given : null
}

/**
 * The name a market entity first gets from a case: the business named, never the resident. The
 * name was typed by the resident and becomes public, so a phone or ID number in it is masked, as
 * the complaint index masks them.
 */
const entityName = (merchantName: string) =>
  maskPersonalNumbers(merchantName.trim()).slice(0, 200) || '（名称未登记）'

/**
 * A case was closed or reopened (web 归档, the hotline's 结案归档 or 重办): when it names a
 * business and its finding is 查实 or 部分查实, the business's public record changed, so the
 * business becomes a market entity (if it is on no list yet) and its grade is recomputed, in the
 * caller's transaction. Returns the business's code when the record changed.
 */
export async function publishCaseOutcome(
  trx: Transaction<Database>,
  caseId: string,
  source: string,
): Promise<string | null> {
  const c = await caseOutcomeFacts(trx, caseId)
  if (!c?.finding || !publicFindings.includes(c.finding)) return null
  const uscc = businessOfCase(c)
  if (!uscc) return null
  if (c.closedAt) {
    // Sector and address are not known from a case: 'other' and empty until someone corrects
    // them; the county is the case's.
    await ensureMarketEntity(trx, {
      uscc,
      name: entityName(c.merchantName),
      countyCode: c.countyCode,
      sectorCode: 'other',
    })
  }
  await enqueueCreditRecompute(trx, [uscc], source)
  return uscc
}
