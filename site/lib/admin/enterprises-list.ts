import { ApiError } from '../../../api/errors.ts'
import { listEnterprisesInConsole } from '../../../api/services/admin/enterprises/list.ts'
import type { EnterprisePage } from '../../../api/services/enterprises/list.ts'
import { serviceContext } from '../services.ts'
import { fieldProblemsOf, type FieldProblem } from '../../../api/validation.ts'
import { filterHref } from './auth-form.ts'
import type { ConsoleRequest } from './session.ts'

export const enterprisesUrl = '/admin/enterprises'
const filterNames = ['q', 'status', 'county'] as const
type FilterName = (typeof filterNames)[number]

export interface ConsoleList {
  status: number
  /** The filters as typed, to show in the form again. */
  values: Record<FilterName, string>
  problems: FieldProblem[]
  result?: EnterprisePage
}

/** The list's address for these filters and page. */
export const listUrl = (values: Record<FilterName, string>, page: number) =>
  filterHref(enterprisesUrl, values, page)

/** The enterprise list for the filters in the address (a plain GET form, no script needed). */
export async function loadConsoleList(url: URL, request: ConsoleRequest): Promise<ConsoleList> {
  const values = Object.fromEntries(
    filterNames.map((n) => [n, (url.searchParams.get(n) ?? '').slice(0, 200)]),
  ) as Record<FilterName, string>
  const raw = Object.fromEntries(
    [...filterNames, 'page' as const]
      .map((n) => [n, url.searchParams.get(n) ?? ''] as const)
      .filter(([, v]) => v !== ''),
  )
  try {
    const result = await listEnterprisesInConsole({ ctx: serviceContext(), request, input: raw })
    return { status: 200, values, problems: [], result }
  } catch (error) {
    if (error instanceof ApiError && error.code === 'VALIDATION_FAILED') {
      return { status: 400, values, problems: fieldProblemsOf(error) }
    }
    if (error instanceof ApiError && error.status < 500) {
      return { status: error.status, values, problems: [{ field: 'q', message: error.message }] }
    }
    throw error
  }
}
