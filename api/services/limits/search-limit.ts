import type { Kysely } from 'kysely'
import type { Database } from '../../../db/database.ts'
import type { Deps } from '../../deps.ts'
import { ApiError } from '../../errors.ts'
import type { Logger } from '../../logger.ts'
import { clientKey } from './client-key.ts'
import { windowOf } from './rate-limit.ts'
import { SharedHitCounter } from './shared-hit-counter.ts'

/** Searches are counted per minute. */
const searchWindow = { windowSeconds: 60 }

const counters = new WeakMap<Kysely<Database>, SharedHitCounter>()

/** The counter of a connection pool: one per process and database. */
function searchCounterFor(db: Kysely<Database>, logger: Logger): SharedHitCounter {
  let counter = counters.get(db)
  if (!counter) {
    counter = new SharedHitCounter(db, logger, searchWindow.windowSeconds)
    counters.set(db, counter)
  }
  return counter
}

/**
 * Counts one public text search from `address` and refuses it (429 with Retry-After) past
 * SEARCH_LIMIT_PER_ADDRESS in a minute: Meilisearch is reached only through us (DESIGN.md
 * section 2), and one client must not be able to take it over. An address the server could not
 * learn is not limited, as for complaints.
 */
export async function countSearch(
  deps: Pick<Deps, 'db' | 'logger' | 'config' | 'privacy'>,
  address: string,
  now = Date.now(),
) {
  const max = deps.config.SEARCH_LIMIT_PER_ADDRESS
  if (max === 0) return
  const key = clientKey(deps.privacy.hashKey, address)
  if (key === undefined) return
  const total = await searchCounterFor(deps.db, deps.logger).hit(`search:addr:${key}`, max, now)
  if (total <= max) return
  const { retryAfterSeconds } = windowOf(searchWindow, now)
  throw new ApiError(
    'RATE_LIMITED',
    `搜索太频繁：同一网络每分钟最多搜索 ${max} 次。请在 ${retryAfterSeconds} 秒后再试。`,
    { retryAfterSeconds },
  )
}

/**
 * Counts one public credit-record lookup (GET /api/enterprises/{uscc}/record) from `address`,
 * in a bucket of its own with the same per-minute limit as searches: a scraper walking every
 * code must not starve search, and a citizen reading records must not lose their searches.
 */
export async function countRecordLookup(
  deps: Pick<Deps, 'db' | 'logger' | 'config' | 'privacy'>,
  address: string,
  now = Date.now(),
) {
  const max = deps.config.SEARCH_LIMIT_PER_ADDRESS
  if (max === 0) return
  const key = clientKey(deps.privacy.hashKey, address)
  if (key === undefined) return
  const total = await searchCounterFor(deps.db, deps.logger).hit(`record:addr:${key}`, max, now)
  if (total <= max) return
  const { retryAfterSeconds } = windowOf(searchWindow, now)
  throw new ApiError(
    'RATE_LIMITED',
    `查询太频繁：同一网络每分钟最多查询 ${max} 次信用记录。请在 ${retryAfterSeconds} 秒后再试。`,
    { retryAfterSeconds },
  )
}
