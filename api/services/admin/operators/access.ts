import type { ConsoleAccess } from '../console-request.ts'

/**
 * Accounts are the city bureau's to manage (issue 4): county handlers and viewers may not. The
 * account pages and the /api/admin/operators verbs pass this one rule to openConsole.
 */
export const operatorAdmins: ConsoleAccess = {
  roles: ['city_admin'],
  refusal: '只有市局管理员可以查看和管理后台账号。',
}
