import { ApiError } from '../../../api/errors.ts'
import { listRewardsInConsole } from '../../../api/services/admin/rewards/console.ts'
import type { RewardList } from '../../../api/services/admin/rewards/schemas.ts'
import { fieldProblemsOf, type FieldProblem } from '../../../api/validation.ts'
import { serviceContext } from '../services.ts'
import { filterHref } from './auth-form.ts'
import type { ConsoleRequest } from './session.ts'

// 举报奖励 list (issue 25, item 5): a thin adapter from the page's GET form to the console verb
// the API calls too (api/services/admin/rewards/console.ts). Steps are taken on the case page.

export const rewardsUrl = '/admin/rewards'

const filterNames = ['state', 'county'] as const
type FilterName = (typeof filterNames)[number]

export interface RewardListPage {
  status: number
  values: Record<FilterName, string>
  problems: FieldProblem[]
  result?: RewardList
}

export const rewardListUrl = (values: Record<FilterName, string>, page: number) =>
  filterHref(rewardsUrl, values, page)

/** The list for the filters in the address. */
export async function loadRewardList(url: URL, request: ConsoleRequest): Promise<RewardListPage> {
  const values = Object.fromEntries(
    filterNames.map((n) => [n, (url.searchParams.get(n) ?? '').slice(0, 20)]),
  ) as Record<FilterName, string>
  const raw = Object.fromEntries(
    [...filterNames, 'page' as const]
      .map((n) => [n, url.searchParams.get(n) ?? ''] as const)
      .filter(([, v]) => v !== ''),
  )
  try {
    const result = await listRewardsInConsole({ ctx: serviceContext(), request, input: raw })
    return { status: 200, values, problems: [], result }
  } catch (error) {
    if (error instanceof ApiError && error.code === 'VALIDATION_FAILED') {
      return { status: 400, values, problems: fieldProblemsOf(error) }
    }
    if (error instanceof ApiError && error.status < 500) {
      return {
        status: error.status,
        values,
        problems: [{ field: 'state', message: error.message }],
      }
    }
    throw error
  }
}
