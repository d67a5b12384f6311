import type { Kysely } from 'kysely'
import type { Database } from '../database.ts'

/** Starts a bucket's count again in every window (the owner proved who they are, or an unlock). */
export async function clearRateLimitBuckets(
  db: Kysely<Database>,
  buckets: { exact?: readonly string[]; prefixes?: readonly string[] },
) {
  const exact = buckets.exact ?? []
  const prefixes = buckets.prefixes ?? []
  if (exact.length === 0 && prefixes.length === 0) return
  await db
    .updateTable('rateLimitHits')
    .set({ hits: 0 })
    .where((eb) =>
      eb.or([
        ...(exact.length > 0 ? [eb('bucket', 'in', exact)] : []),
        // Keys are hex and ':' only, so no LIKE wildcard can hide in a prefix.
        ...prefixes.map((p) => eb('bucket', 'like', `${p}%`)),
      ]),
    )
    .where('hits', '>', 0)
    .execute()
}

/** The totals of the given buckets' windows (0 for a window never counted), by bucket. */
export async function rateLimitTotals(
  db: Kysely<Database>,
  windows: readonly { bucket: string; windowStart: Date }[],
): Promise<Map<string, number>> {
  if (windows.length === 0) return new Map()
  const rows = await db
    .selectFrom('rateLimitHits')
    .select(['bucket', 'hits'])
    .where((eb) =>
      eb.or(
        windows.map((w) =>
          eb.and([eb('bucket', '=', w.bucket), eb('windowStart', '=', w.windowStart)]),
        ),
      ),
    )
    .execute()
  return new Map(rows.map((r) => [r.bucket, r.hits]))
}
