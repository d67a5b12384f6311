import { createHash } from 'node:crypto'

/** A strong ETag made from a version string (never from the body, which is not read first). */
export const etagOf = (kind: string, version: string) =>
  `"${kind}-${createHash('sha256').update(version).digest('base64url').slice(0, 27)}"`

/**
 * Whether If-None-Match names `etag` (RFC 9110 13.1.2: weak comparison, so the W/ a compressed
 * answer carried still matches, and `*` matches any current file).
 */
export function matchesEtag(ifNoneMatch: string | null | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false
  const strip = (tag: string) => tag.trim().replace(/^W\//, '')
  return ifNoneMatch.split(',').some((tag) => tag.trim() === '*' || strip(tag) === strip(etag))
}
