import type { SignedInOperator } from '../../../api/services/admin/access.ts'
import { listCasesInConsole } from '../../../api/services/admin/cases/console.ts'
import { passesAccess } from '../../../api/services/admin/console-request.ts'
import { notificationReaders } from '../../../api/services/admin/notifications/access.ts'
import { notificationAlertsInConsole } from '../../../api/services/admin/notifications/console.ts'
import { serviceContext } from '../services.ts'
import { scopeName } from './cases-queue.ts'
import type { ConsoleRequest } from './session.ts'

/**
 * The console's home: what is overdue and what falls due within 2 working days, in scope, and
 * for those told of notices, any left waiting (a transport unset) or given up.
 */
export async function loadConsoleHome(operator: SignedInOperator, request: ConsoleRequest) {
  const ctx = serviceContext()
  const list = (flags: Record<string, string>) =>
    listCasesInConsole({ ctx, request, input: { ...flags, pageSize: '10' } })
  const [overdue, dueSoon, scope, notificationAlerts] = await Promise.all([
    list({ overdue: '1' }),
    list({ dueSoon: '1' }),
    scopeName(operator),
    passesAccess(notificationReaders, operator)
      ? notificationAlertsInConsole({ ctx, request, input: {} })
      : Promise.resolve([]),
  ])
  const counts = overdue.counts
  return {
    scopeName: scope,
    counts,
    total: Object.values(counts).reduce((a, b) => a + b, 0),
    overdue,
    dueSoon,
    notificationAlerts,
  }
}
