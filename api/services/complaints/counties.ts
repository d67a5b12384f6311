import type { Kysely } from 'kysely'
import type { Database } from '../../../db/database.ts'
import { listCounties } from '../../../db/queries/enterprises.ts'

let known: Promise<Set<string>> | undefined

/** Whether a county code is one of ours; the list is fixed by migration, so it is read once. */
export async function knownCounty(db: Kysely<Database>, code: string): Promise<boolean> {
  known ??= listCounties(db).then((rows) => new Set(rows.map((r) => r.code)))
  try {
    return (await known).has(code)
  } catch (error) {
    known = undefined
    throw error
  }
}
