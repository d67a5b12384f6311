import { findEnterprise } from '../../../../db/queries/enterprises.ts'
import { marketEntitiesByUscc } from '../../../../db/queries/market-entities.ts'
import type { ServiceContext } from '../../../deps.ts'
import { usccProblem } from '../../../domain/uscc.ts'
import type { ComplaintFormValues } from '../submit.ts'

/** The answers of the 在哪里 step a business named by a link fills in. */
type WhereValues = Required<
  Pick<ComplaintFormValues, 'merchantName' | 'merchantUscc' | 'county' | 'address'>
>

export type DraftBusiness =
  | {
      kind: 'named'
      values: WhereValues
      /** On the list of certified businesses (诚信计量单位), or only a market entity. */
      listed: boolean
      /** What the first step says about it, so the resident knows it was filled in. */
      message: string
    }
  /** A malformed code, or one of no business we know: nothing is filled in, and the step says why. */
  | { kind: 'ignored'; message: string }

/**
 * The business a complaint started from its page or plaque check (`?business=` on the first step)
 * is about, read from the list now: its name, code, county and address become the draft's answers
 * to 在哪里, which the resident sees there and may change. A code that is malformed or of no
 * business we know fills in nothing; the resident is told so and answers 在哪里 themselves.
 */
export async function draftBusiness({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { code: string }
}): Promise<DraftBusiness> {
  const code = input.code.trim().toUpperCase()
  const problem = usccProblem(code)
  if (problem) {
    return {
      kind: 'ignored',
      message: `链接中的统一社会信用代码有误（${problem.message}），无法带出被投诉单位。请在第 2 步“在哪里”填写它的名称和地址。`,
    }
  }
  const listed = await findEnterprise(ctx.db, code)
  const [entity] = listed ? [] : await marketEntitiesByUscc(ctx.db, [code])
  const found = listed ?? entity
  if (!found) {
    return {
      kind: 'ignored',
      message: `代码为 ${code} 的单位不在丽水市诚信计量单位名单上，无法带出被投诉单位。请在第 2 步“在哪里”填写它的名称和地址。`,
    }
  }
  const values = {
    merchantName: found.name,
    merchantUscc: found.uscc,
    county: found.county,
    address: found.address,
  }
  return {
    kind: 'named',
    values,
    listed: listed !== undefined,
    message: listed
      ? `被投诉单位已填好：${found.name}（${found.address}）。第 2 步“在哪里”可以核对和修改。`
      : `已带出${found.name}的名称、代码和地址（它不是丽水市诚信计量单位），第 2 步“在哪里”可以核对和修改。`,
  }
}
