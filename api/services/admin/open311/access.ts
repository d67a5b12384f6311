import type { ConsoleAccess } from '../console-request.ts'

/** Open311 apps and their keys are registered by the city bureau (issue 27). */
export const open311Admins: ConsoleAccess = {
  roles: ['city_admin'],
  refusal: '只有市局管理员可以管理 Open311 接入应用和密钥。',
}
