import type { SignedInOperator } from '../../../api/services/admin/access.ts'
import { listCasesInConsole } from '../../../api/services/admin/cases/console.ts'
import { serviceContext } from '../services.ts'
import { scopeName } from './cases-queue.ts'
import type { ConsoleRequest } from './session.ts'

/** The console's home: what is overdue and what falls due within 2 working days, in scope. */
export async function loadConsoleHome(operator: SignedInOperator, request: ConsoleRequest) {
  const ctx = serviceContext()
  const list = (flags: Record<string, string>) =>
    listCasesInConsole({ ctx, request, input: { ...flags, pageSize: '10' } })
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
