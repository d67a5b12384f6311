import { pingDatabase } from '../../../db/queries/health.ts'
import type { ServiceContext } from '../../deps.ts'

export type Check = 'ok' | 'down'

async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout')), ms)
  })
  try {
    return await Promise.race([work, timeout])
  } finally {
    clearTimeout(timer)
  }
}

/** Asks PostgreSQL and Meilisearch for a sign of life, each within `timeoutMs`. */
export async function checkDependencies({
  ctx,
  timeoutMs = 2_000,
}: {
  ctx: ServiceContext
  timeoutMs?: number
}) {
  const [postgres, meilisearch] = await Promise.all([
    within(timeoutMs, pingDatabase(ctx.db)).then(
      (): Check => 'ok',
      (): Check => 'down',
    ),
    within(timeoutMs, ctx.search.meili.health()).then(
      (): Check => 'ok',
      (): Check => 'down',
    ),
  ])
  return { postgres, meilisearch }
}
