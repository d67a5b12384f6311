import type { OperatorListRow } from '../../../../db/queries/operators.ts'
import type { SignedInOperator } from '../access.ts'
import type { OperatorAction, OperatorView } from './schemas.ts'

type AccountState = Pick<
  OperatorListRow,
  'id' | 'disabledAt' | 'lockedUntil' | 'failedSignIns' | 'totpEnabledAt'
>

/**
 * What an administrator may not do to their own account: lock themselves out, or skip the
 * current password that /admin/password asks for. Another city_admin can.
 */
export const refusedOnSelf: Readonly<Partial<Record<OperatorAction, string>>> = {
  disable: '不能停用自己的账号：如确需停用，请由另一位市局管理员操作。',
  reset_password: '不能在这里重置自己的密码：请在“修改密码”页面输入当前密码后修改。',
  reset_totp: '不能重置自己的动态验证码：如更换了手机，请由另一位市局管理员操作。',
}

const isLockedNow = (state: Pick<AccountState, 'lockedUntil'>, now: Date) =>
  state.lockedUntil !== null && state.lockedUntil > now

/** Why an action does nothing to an account as it is now; undefined when it applies. */
export function pointlessBecause(
  action: OperatorAction,
  state: AccountState,
  now: Date,
): string | undefined {
  switch (action) {
    case 'disable':
      return state.disabledAt ? '该账号已经停用。' : undefined
    case 'enable':
      return state.disabledAt ? undefined : '该账号没有停用，无需启用。'
    case 'unlock':
      return isLockedNow(state, now) || state.failedSignIns > 0
        ? undefined
        : '该账号没有被锁定，也没有连续输错记录，无需解锁。'
    case 'reset_totp':
      return state.totpEnabledAt ? undefined : '该账号还没有绑定动态验证码，无需重置。'
    case 'reset_password':
      return undefined
  }
}

const allActions: readonly OperatorAction[] = [
  'reset_password',
  'unlock',
  'reset_totp',
  'disable',
  'enable',
]

function allowedActions(state: AccountState, by: SignedInOperator, now: Date): OperatorAction[] {
  return allActions.filter(
    (a) =>
      !(state.id === by.id && refusedOnSelf[a]) && pointlessBecause(a, state, now) === undefined,
  )
}

export function toOperatorView(
  row: OperatorListRow,
  by: SignedInOperator,
  now: Date,
): OperatorView {
  return {
    id: row.id,
    username: row.username,
    role: row.role,
    countyCode: row.countyCode,
    totpEnabled: row.totpEnabledAt !== null,
    mustChangePassword: row.mustChangePassword,
    failedSignIns: row.failedSignIns,
    lockedUntil: isLockedNow(row, now) ? row.lockedUntil!.toISOString() : null,
    disabledAt: row.disabledAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    lastSignInAt: row.lastSignInAt ? new Date(row.lastSignInAt).toISOString() : null,
    openSessions: row.openSessions,
    allowedActions: allowedActions(row, by, now),
  }
}
