import type { Transaction } from 'kysely'
import type { Database } from '../database.ts'

/**
 * What putting a case on a business's credit record needs: the finding, whether it is closed,
 * and how it names the business. Nothing of the resident is read.
 */
export async function caseOutcomeFacts(trx: Transaction<Database>, id: string) {
  return trx
    .selectFrom('complaints')
    .select([
      'id',
      'countyCode',
      'merchantName',
      'merchantUscc',
      'enterpriseUscc',
      'finding',
      'closedAt',
    ])
    .where('id', '=', id)
    .executeTakeFirst()
}

export type CaseOutcomeFacts = NonNullable<Awaited<ReturnType<typeof caseOutcomeFacts>>>
