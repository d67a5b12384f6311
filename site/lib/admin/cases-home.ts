import type { SignedInOperator } from '../../../api/services/admin/access.ts'
import { listCases } from '../../../api/services/admin/cases/list.ts'
import { caseQueueQuerySchema } from '../../../api/services/admin/cases/schemas.ts'
import { serviceContext } from '../services.ts'
import { scopeName } from './cases-queue.ts'

/** The console's home: what is overdue and what falls due within 2 working days, in scope. */
export async function loadConsoleHome(operator: SignedInOperator) {
  const ctx = serviceContext()
  const list = (flags: Record<string, string>) =>
    listCases({
      ctx,
      operator,
      input: caseQueueQuerySchema.parse({ ...flags, pageSize: '10' }),
    })
  const [overdue, dueSoon, scope] = await Promise.all([
    list({ overdue: '1' }),
    list({ dueSoon: '1' }),
    scopeName(operator),
  ])
  const counts = overdue.counts
  return {
    scopeName: scope,
    counts,
    total: Object.values(counts).reduce((a, b) => a + b, 0),
    overdue,
    dueSoon,
  }
}
