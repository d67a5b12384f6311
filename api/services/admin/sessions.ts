import { createHash, createHmac, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database, SessionStage } from '../../../db/database.ts'
import {
  deleteSession,
  deleteSessionsOf,
  findSession,
  insertSession,
  touchSession,
} from '../../../db/queries/sessions.ts'
import type { ConsoleSession } from '../../console-session.ts'
import type { SessionCache, SessionRow } from '../../session-cache.ts'

/** OWASP session management: 30 minutes idle, 12 hours at most. */
const sessionIdleMs = 30 * 60 * 1000
const sessionAbsoluteMs = 12 * 60 * 60 * 1000
/** last_seen_at is written at most this often, so reading a page is not a write each time. */
const touchEveryMs = 30 * 1000

export const sessionCookieName = 'jl_console'

export type { ConsoleSession }

export const hashSessionToken = (token: string) => createHash('sha256').update(token).digest()

/** The CSRF token is bound to the session: an HMAC of its id, so nothing more is stored. */
export function csrfTokenFor(hashKey: KeyObject, tokenHash: Buffer): string {
  return createHmac('sha256', hashKey).update('csrf:').update(tokenHash).digest('base64url')
}

export function csrfTokenMatches(expected: string, given: string | undefined | null): boolean {
  if (!given) return false
  const a = Buffer.from(expected)
  const b = Buffer.from(given)
  return a.length === b.length && timingSafeEqual(a, b)
}

/**
 * Starts a session (sign-in always starts a new one, so an id planted before sign-in is worth
 * nothing). Returns the token for the cookie; only its hash is stored.
 */
export async function startSession(
  db: Kysely<Database>,
  input: {
    operatorId: string
    stage: SessionStage
    clientAddress: string
    userAgent: string
    now?: Date
  },
): Promise<{ token: string; tokenHash: Buffer }> {
  const now = input.now ?? new Date()
  const token = randomBytes(32).toString('base64url')
  const tokenHash = hashSessionToken(token)
  await insertSession(db, {
    tokenHash,
    operatorId: input.operatorId,
    stage: input.stage,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: new Date(now.getTime() + sessionAbsoluteMs),
    clientAddress: input.clientAddress.slice(0, 100),
    userAgent: input.userAgent.slice(0, 300),
  })
  return { token, tokenHash }
}

/**
 * Whether a remembered row settles the request alone: live, not disabled, and seen recently
 * enough that nothing needs writing. Anything else (an end near, a touch due) asks the database.
 */
const answersAlone = (row: SessionRow, now: Date) =>
  row.disabledAt === null &&
  now < row.expiresAt &&
  now.getTime() - row.lastSeenAt.getTime() <= touchEveryMs

/**
 * The session behind a cookie's token, or null when there is none, it idled for 30 minutes, it
 * is 12 hours old, or its operator was disabled. An expired session is deleted on sight. With a
 * `cache` (session-cache.ts), a session confirmed a moment ago is not read again.
 */
export async function loadSession(
  db: Kysely<Database>,
  hashKey: KeyObject,
  token: string | undefined,
  now: Date = new Date(),
  cache?: SessionCache,
): Promise<ConsoleSession | null> {
  if (!token || token.length > 100) return null
  const tokenHash = hashSessionToken(token)
  const key = tokenHash.toString('base64')
  const remembered = cache?.get(key, now.getTime())
  const row = remembered && answersAlone(remembered, now) ? remembered : undefined
  if (cache) cache.stats[row ? 'hits' : 'misses']++
  return row ? toSession(hashKey, tokenHash, row) : readAndCheck(db, hashKey, tokenHash, now, cache)
}

async function readAndCheck(
  db: Kysely<Database>,
  hashKey: KeyObject,
  tokenHash: Buffer,
  now: Date,
  cache: SessionCache | undefined,
): Promise<ConsoleSession | null> {
  const generation = cache?.generation ?? 0
  const read = await findSession(db, tokenHash)
  if (!read) return null
  const idle = now.getTime() - read.lastSeenAt.getTime() > sessionIdleMs
  if (idle || now >= read.expiresAt || read.disabledAt !== null) {
    await endSession(db, tokenHash, cache)
    return null
  }
  let row = read
  if (now.getTime() - row.lastSeenAt.getTime() > touchEveryMs) {
    await touchSession(db, tokenHash, now)
    row = { ...row, lastSeenAt: now }
  }
  cache?.put(tokenHash.toString('base64'), row, generation, now.getTime())
  return toSession(hashKey, tokenHash, row)
}

function toSession(hashKey: KeyObject, tokenHash: Buffer, row: SessionRow): ConsoleSession {
  return {
    operator: { id: row.id, username: row.username, role: row.role, countyCode: row.countyCode },
    stage: row.stage,
    tokenHash,
    csrfToken: csrfTokenFor(hashKey, tokenHash),
    mustChangePassword: row.mustChangePassword,
    totpEnabled: row.totpEnabledAt !== null,
  }
}

/**
 * Ends a session. `cache`, this process's memory of confirmed sessions (ctx.sessionCache), forgets
 * at once; other processes do when PostgreSQL announces the change (session-cache.ts), at its
 * commit when `db` is a transaction.
 */
export async function endSession(
  db: Kysely<Database>,
  tokenHash: Buffer,
  cache: SessionCache | undefined,
) {
  await deleteSession(db, tokenHash)
  cache?.forget()
}

/** Ends every session of an operator (password changed, account disabled); `cache` as above. */
export async function endSessionsOf(
  db: Kysely<Database>,
  operatorId: string,
  cache: SessionCache | undefined,
  except?: Buffer,
) {
  await deleteSessionsOf(db, operatorId, except)
  cache?.forget()
}

/**
 * Whether a request reached us over HTTPS: directly, or through a trusted reverse proxy that
 * terminated TLS and says so in X-Forwarded-Proto (only believed with TRUST_PROXY). Decides the
 * session cookie's Secure flag for the API and the console pages alike.
 */
export function servedOverHttps(input: {
  url: string | URL
  forwardedProto: string | null | undefined
  trustProxy: boolean
}): boolean {
  if (new URL(input.url).protocol === 'https:') return true
  return input.trustProxy && input.forwardedProto === 'https'
}

/** Cookie attributes: HttpOnly, SameSite=Lax, Secure when served over HTTPS, whole-site path. */
export function sessionCookieOptions(secure: boolean) {
  return {
    httpOnly: true,
    sameSite: 'Lax' as const,
    secure,
    path: '/',
  }
}
