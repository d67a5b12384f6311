import { listEnterprises } from '../../../../db/queries/enterprises.ts'
import type { ServiceContext } from '../../../deps.ts'
import { asUsccPrefix } from '../../../domain/uscc.ts'
import { toItem, type EnterprisePage } from '../../enterprises/list.ts'
import { enterpriseAdmins } from './access.ts'
import { consoleVerb, parseConsoleInput } from '../console-request.ts'
import { consoleListQuerySchema, type ConsoleListQuery } from './schemas.ts'

const consolePageSize = 20

/**
 * The businesses an administrator looks for, read from PostgreSQL rather than the search index:
 * the console must show a change the moment it is made, not once the index has caught up.
 */
async function listConsoleEnterprises({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: ConsoleListQuery
}): Promise<EnterprisePage> {
  const usccPrefix = asUsccPrefix(input.q)
  const { items, total } = await listEnterprises(
    ctx.db,
    {
      county: input.county,
      status: input.status,
      ...(usccPrefix ? { usccPrefix } : { text: input.q || undefined }),
    },
    { offset: (input.page - 1) * consolePageSize, limit: consolePageSize },
  )
  return { items: items.map(toItem), total, page: input.page, pageSize: consolePageSize }
}

/** The list from the query as sent (GET /api/admin/enterprises and the console page alike). */
export const listEnterprisesInConsole = consoleVerb({
  access: enterpriseAdmins,
  parse: (raw) => parseConsoleInput(consoleListQuerySchema, raw, 'query'),
  run: ({ ctx, input }) => listConsoleEnterprises({ ctx, input }),
})
