import { sql, type Kysely, type Transaction } from 'kysely'
import type { Database, Operator, OperatorRole } from '../database.ts'

export function findOperatorByUsername(
  db: Kysely<Database>,
  username: string,
): Promise<Operator | undefined> {
  return db.selectFrom('operators').selectAll().where('username', '=', username).executeTakeFirst()
}

export function findOperatorById(db: Kysely<Database>, id: string): Promise<Operator | undefined> {
  return db.selectFrom('operators').selectAll().where('id', '=', id).executeTakeFirst()
}

export async function insertOperator(
  db: Kysely<Database>,
  values: { username: string; role: OperatorRole; countyCode: string | null; passwordHash: string },
): Promise<string> {
  const row = await db
    .insertInto('operators')
    .values({ ...values, mustChangePassword: true })
    .returning('id')
    .executeTakeFirstOrThrow()
  return row.id
}

/**
 * Counts one failed check of a password or code on the account, for administrators to see; the
 * limits themselves count in rate_limit_hits, before each check (api/services/admin/auth/throttle.ts).
 */
export async function countFailedSignIn(db: Kysely<Database>, id: string): Promise<number> {
  const row = await db
    .updateTable('operators')
    .set({ failedSignIns: sql`failed_sign_ins + 1`, updatedAt: sql`now()` })
    .where('id', '=', id)
    .returning(['failedSignIns'])
    .executeTakeFirst()
  return row?.failedSignIns ?? 0
}

/**
 * Locks an account until `until`. True only for the call that locked it (it was not locked at
 * `now`), so parallel failures record one lock.
 */
export async function lockOperator(
  db: Kysely<Database>,
  id: string,
  until: Date,
  now: Date,
): Promise<boolean> {
  const row = await db
    .updateTable('operators')
    .set({ lockedUntil: until, updatedAt: sql`now()` })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('lockedUntil', 'is', null), eb('lockedUntil', '<=', now)]))
    .returning('id')
    .executeTakeFirst()
  return row !== undefined
}

/** After a successful sign-in: the count of failures in a row starts again. */
export async function clearFailedSignIns(db: Kysely<Database>, id: string) {
  await db
    .updateTable('operators')
    .set({ failedSignIns: 0, lockedUntil: null, updatedAt: sql`now()` })
    .where('id', '=', id)
    .where((eb) => eb.or([eb('failedSignIns', '>', 0), eb('lockedUntil', 'is not', null)]))
    .execute()
}

export async function updatePasswordHash(
  db: Kysely<Database>,
  id: string,
  passwordHash: string,
  options: { changedByOperator: boolean },
) {
  await db
    .updateTable('operators')
    .set({
      passwordHash,
      ...(options.changedByOperator ? { mustChangePassword: false } : {}),
      updatedAt: sql`now()`,
    })
    .where('id', '=', id)
    .execute()
}

/** A secret being enrolled: kept sealed, not yet in force until a first code proves it. */
export async function storePendingTotpSecret(
  db: Kysely<Database>,
  id: string,
  sealed: { keyId: string; sealed: Buffer },
) {
  await db
    .updateTable('operators')
    .set({ totpKeyId: sealed.keyId, totpSecretSealed: sealed.sealed, updatedAt: sql`now()` })
    .where('id', '=', id)
    .where('totpEnabledAt', 'is', null)
    .execute()
}

/**
 * Records `step` as the last TOTP step used, only when it is later than the one before: false
 * means the code was used already (a replay). Enables TOTP at `enableAt` when it was not yet.
 */
export async function acceptTotpStep(
  db: Kysely<Database>,
  id: string,
  step: number,
  enableAt: Date,
): Promise<boolean> {
  const row = await db
    .updateTable('operators')
    .set({
      totpLastStep: step,
      totpEnabledAt: sql`coalesce(totp_enabled_at, ${enableAt})`,
      updatedAt: sql`now()`,
    })
    .where('id', '=', id)
    .where('totpSecretSealed', 'is not', null)
    .where((eb) => eb.or([eb('totpLastStep', 'is', null), eb('totpLastStep', '<', String(step))]))
    .returning('id')
    .executeTakeFirst()
  return row !== undefined
}

/** An operator as the console's account list shows it, with when they last signed in. */
export interface OperatorListRow {
  id: string
  username: string
  role: OperatorRole
  countyCode: string | null
  mustChangePassword: boolean
  totpEnabledAt: Date | null
  failedSignIns: number
  lockedUntil: Date | null
  disabledAt: Date | null
  createdAt: Date
  lastSignInAt: Date | null
  /** Sessions not yet past their absolute end (an idle one may still count until it is next read). */
  openSessions: number
}

function operatorListQuery(db: Kysely<Database>) {
  return db
    .selectFrom('operators as o')
    .select([
      'o.id',
      'o.username',
      'o.role',
      'o.countyCode',
      'o.mustChangePassword',
      'o.totpEnabledAt',
      'o.failedSignIns',
      'o.lockedUntil',
      'o.disabledAt',
      'o.createdAt',
    ])
    .select((eb) => [
      // audit_log_operator_idx (operator_id, occurred_at DESC) answers this per operator.
      eb
        .selectFrom('auditLog as a')
        .select((a) => a.fn.max('a.occurredAt').as('at'))
        .whereRef('a.operatorId', '=', 'o.id')
        .where('a.action', '=', 'auth.sign_in')
        .as('lastSignInAt'),
      eb
        .selectFrom('operatorSessions as s')
        .select((s) => s.fn.countAll<string>().as('n'))
        .whereRef('s.operatorId', '=', 'o.id')
        .where('s.expiresAt', '>', sql<Date>`now()`)
        .as('openSessions'),
    ])
}

const toListRow = (row: Record<string, unknown>): OperatorListRow =>
  ({ ...row, openSessions: Number(row.openSessions ?? 0) }) as OperatorListRow

/** Every operator, the disabled last, then by username. */
export async function listOperatorRows(db: Kysely<Database>): Promise<OperatorListRow[]> {
  const rows = await operatorListQuery(db)
    .orderBy(sql`o.disabled_at IS NOT NULL`)
    .orderBy('o.username')
    .execute()
  return rows.map(toListRow)
}

export async function findOperatorListRow(
  db: Kysely<Database>,
  id: string,
): Promise<OperatorListRow | undefined> {
  const row = await operatorListQuery(db).where('o.id', '=', id).executeTakeFirst()
  return row && toListRow(row)
}

/** An operator row, locked until the transaction ends: two administrators' actions take turns. */
export function findOperatorForUpdate(
  trx: Transaction<Database>,
  id: string,
): Promise<Operator | undefined> {
  return trx.selectFrom('operators').selectAll().where('id', '=', id).forUpdate().executeTakeFirst()
}

/** The changes the console's account actions make to an operator row. */
export type OperatorChange =
  | { kind: 'reset_password'; passwordHash: string }
  | { kind: 'disable'; at: Date }
  | { kind: 'enable' | 'unlock' | 'reset_totp' }

function changedColumns(change: OperatorChange) {
  const unlocked = { failedSignIns: 0, lockedUntil: null }
  switch (change.kind) {
    case 'reset_password':
      // A one-time password must be replaced at the next sign-in; it also ends a lockout.
      return { passwordHash: change.passwordHash, mustChangePassword: true, ...unlocked }
    case 'disable':
      return { disabledAt: change.at }
    case 'enable':
      return { disabledAt: null }
    case 'unlock':
      return unlocked
    case 'reset_totp':
      return { totpKeyId: null, totpSecretSealed: null, totpEnabledAt: null, totpLastStep: null }
  }
}

export async function changeOperator(db: Kysely<Database>, id: string, change: OperatorChange) {
  await db
    .updateTable('operators')
    .set({ ...changedColumns(change), updatedAt: sql`now()` })
    .where('id', '=', id)
    .execute()
}

/** Gives an account another role and county (null for a city_admin's or a viewer's all). */
export async function changeOperatorScope(
  db: Kysely<Database>,
  id: string,
  scope: { role: OperatorRole; countyCode: string | null },
) {
  await db
    .updateTable('operators')
    .set({ ...scope, updatedAt: sql`now()` })
    .where('id', '=', id)
    .execute()
}

/** Whether anyone can sign in to the console: an enabled account exists. */
export async function hasEnabledOperator(db: Kysely<Database>): Promise<boolean> {
  const row = await db
    .selectFrom('operators')
    .select('id')
    .where('disabledAt', 'is', null)
    .limit(1)
    .executeTakeFirst()
  return row !== undefined
}
