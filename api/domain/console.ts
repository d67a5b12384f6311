// The console's vocabulary: who an operator is and how far a sign-in got. db/schema/ takes the
// lists from here for the columns that check them, so pages and services need not import db/.

export const operatorRoles = ['city_admin', 'county_handler', 'viewer'] as const
/** 市局管理员 / 区县承办人 / 只读查看 */
export type OperatorRole = (typeof operatorRoles)[number]

export const sessionStages = ['change_password', 'totp', 'active'] as const
/** How far a session got: only `active` may do more than finish signing in. */
export type SessionStage = (typeof sessionStages)[number]
