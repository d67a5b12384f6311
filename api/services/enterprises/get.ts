import { certificationHistory, findEnterprise } from '../../../db/queries/enterprises.ts'
import type { ServiceContext } from '../../deps.ts'
import { ApiError } from '../../errors.ts'
import { toItem } from './list.ts'

export async function getEnterprise({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { uscc: string }
}) {
  const enterprise = await findEnterprise(ctx.db, input.uscc)
  if (!enterprise) {
    throw new ApiError(
      'NOT_FOUND',
      `未找到统一社会信用代码为 ${input.uscc} 的诚信计量单位。请核对代码，或在名录中按名称搜索。`,
    )
  }
  const history = await certificationHistory(ctx.db, input.uscc)
  return { ...toItem(enterprise), isDemo: enterprise.isDemo, history }
}
