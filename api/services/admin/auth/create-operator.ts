import { findOperatorByUsername, insertOperator } from '../../../../db/queries/operators.ts'
import { operatorRoles, type OperatorRole } from '../../../../db/database.ts'
import type { ServiceContext } from '../../../deps.ts'
import type { SignedInOperator } from '../access.ts'
import { recordAudit } from '../audit.ts'
import { countyNames } from '../../../domain/counties.ts'
import { roleLabels } from './labels.ts'
import { hashPassword } from './password-hash.ts'
import { newOneTimePassword } from './password-policy.ts'

/** The same rule as the operators table's CHECK. */
export const usernamePattern = /^[a-z0-9][a-z0-9_.-]{2,31}$/

export interface CreateOperatorInput {
  username: string | undefined
  role: string | undefined
  county: string | undefined
  /** Who created it, for the audit log (e.g. `cli:root`). */
  actor: string
  /** The signed-in city_admin who created it in the console, when it was not the command line. */
  by?: Pick<SignedInOperator, 'id' | 'username'> | undefined
  clientAddress?: string | undefined
}

export class OperatorInputError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join(' '))
    this.name = 'OperatorInputError'
  }
}

const roleList = operatorRoles.map((r) => `${r}（${roleLabels[r]}）`).join('、')
const countyList = Object.entries(countyNames)
  .map(([code, name]) => `${code} ${name}`)
  .join('、')

/** What is wrong with the account asked for, each message saying how to fix it. */
export function operatorInputProblems(
  input: Pick<CreateOperatorInput, 'username' | 'role' | 'county'>,
): string[] {
  const problems: string[] = []
  const { username, role, county } = input
  if (!username) {
    problems.push('缺少用户名：请用 --username 指定，例如 --username zhang.san。')
  } else if (!usernamePattern.test(username)) {
    problems.push(
      `用户名“${username}”不符合要求：须为 3–32 位小写字母、数字或 _ . -，并以字母或数字开头，例如 zhang.san。`,
    )
  }
  if (!role) {
    problems.push(`缺少角色：请用 --role 指定，可选 ${roleList}。`)
  } else if (!(operatorRoles as readonly string[]).includes(role)) {
    problems.push(`角色“${role}”不存在：可选 ${roleList}。`)
  }
  if (county !== undefined && !(county in countyNames)) {
    problems.push(`区县代码“${county}”不正确：可选 ${countyList}。`)
  }
  if (role === 'county_handler' && county === undefined) {
    problems.push(`区县承办人必须指定所属区县：请加上 --county 代码，可选 ${countyList}。`)
  }
  if (role === 'city_admin' && county !== undefined) {
    problems.push('市局管理员管理全部区县，不能指定区县：请去掉 --county。')
  }
  return problems
}

/**
 * Creates an operator with a random one-time password, returned once and stored only as a hash:
 * it must be replaced at the first sign-in.
 */
export async function createOperator({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: CreateOperatorInput
}): Promise<{ id: string; username: string; role: OperatorRole; password: string }> {
  const problems = operatorInputProblems(input)
  if (problems.length > 0) throw new OperatorInputError(problems)
  const username = input.username!
  const role = input.role as OperatorRole
  const taken = () => new OperatorInputError([`用户名“${username}”已被使用：请换一个用户名。`])
  if (await findOperatorByUsername(ctx.db, username)) throw taken()

  const password = newOneTimePassword()
  const passwordHash = await hashPassword(password)
  try {
    const id = await ctx.db.transaction().execute(async (trx) => {
      const created = await insertOperator(trx, {
        username,
        role,
        countyCode: input.county ?? null,
        passwordHash,
      })
      await recordAudit(trx, {
        operator: input.by ?? null,
        username: input.actor,
        action: 'operator.created',
        ...(input.clientAddress === undefined ? {} : { clientAddress: input.clientAddress }),
        detail: { operatorId: created, username, role, countyCode: input.county ?? null },
      })
      return created
    })
    return { id, username, role, password }
  } catch (error) {
    // Another run took the name between the check and the insert (unique_violation).
    if ((error as { code?: unknown }).code === '23505') throw taken()
    throw error
  }
}
