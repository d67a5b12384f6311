/**
 * A query that looks like the start of a unified social credit code (digits and the code's
 * capital letters, at least 6 characters, at least 4 of them digits). Such queries are answered
 * from PostgreSQL's primary key: exact and cheap, where a prefix search in Meilisearch over long
 * tokens costs tens of milliseconds (bench/search.ts).
 */
export function asUsccPrefix(q: string | undefined): string | undefined {
  if (!q) return undefined
  const compact = q.replace(/\s+/g, '').toUpperCase()
  if (!/^[0-9A-HJ-NPQRTUWXY]{6,18}$/.test(compact)) return undefined
  if ((compact.match(/\d/g) ?? []).length < 4) return undefined
  return compact
}
