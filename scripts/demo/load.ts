import type { Deps } from '../../api/deps.ts'
import { applyEnterpriseRecords } from '../../api/services/enterprises/apply.ts'
import { countEnterprises } from '../../db/queries/enterprises.ts'
import { beijingDate } from '../../api/domain/beijing-time.ts'
import { generateDemoRecords } from './generate.ts'
import { loadDemoCredit } from './credit.ts'

/** Loads the demo list, but only into an empty database: real data is never mixed with it. */
export async function loadDemoDataIfEmpty(deps: Deps, count = 1500): Promise<number> {
  if ((await countEnterprises(deps.db)) > 0) return 0
  const records = generateDemoRecords(count)
  const today = beijingDate()
  const result = await applyEnterpriseRecords({
    ctx: deps,
    input: { records, source: 'demo', today, isDemo: true },
  })
  await loadDemoCredit(deps, records, today)
  return result.added.length
}
