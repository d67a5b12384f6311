import type { ConsoleAccess } from '../console-request.ts'

/** Who is told and whether it goes out: county handlers see their county's, the city all. */
export const notificationReaders: ConsoleAccess = {
  roles: ['city_admin', 'county_handler'],
  refusal: '只有市局管理员和区县承办人可以查看通知设置。',
}

/** Recipients are set up by the city bureau (issue 24). */
export const notificationAdmins: ConsoleAccess = {
  roles: ['city_admin'],
  refusal: '只有市局管理员可以设置通知接收方。',
}
