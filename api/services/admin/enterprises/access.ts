import type { Enterprise } from '../../../../db/database.ts'
import type { ConsoleAccess } from '../console-request.ts'

/**
 * Enterprises are the city bureau's to manage (issue 4): county handlers and viewers may not.
 * The enterprise pages and the /api/admin/enterprises verbs pass this one rule to openConsole.
 */
export const enterpriseAdmins: ConsoleAccess = {
  roles: ['city_admin'],
  refusal: '只有市局管理员可以查看和变更诚信计量单位的认定信息。',
}

/**
 * A business's version for optimistic concurrency: its updated_at, which every write moves
 * forward (the console, an import, the expiry sweep), to the millisecond as JavaScript reads it.
 */
export const versionOf = (row: Pick<Enterprise, 'updatedAt'>) => row.updatedAt.toISOString()
