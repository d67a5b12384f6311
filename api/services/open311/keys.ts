import { createHmac, randomBytes, type KeyObject } from 'node:crypto'
import { findActiveOpen311Client } from '../../../db/queries/open311.ts'
import type { ServiceContext } from '../../deps.ts'
import { ApiError } from '../../errors.ts'
import { clientKey } from '../limits/client-key.ts'
import { countAttempt, refusalOf, type Limit } from '../limits/rate-limit.ts'

/** `o311_` and 32 base64url characters (192 random bits): far beyond guessing. */
export function newApiKey(): string {
  return `o311_${randomBytes(24).toString('base64url')}`
}

/** The part of a key the console shows, so an app and the bureau can tell which key is meant. */
export const apiKeyPrefix = (key: string) => key.slice(0, 9)

/**
 * Keyed hash of an api_key (HMAC-SHA256 with PII_HASH_KEY, like query codes): a copy of the
 * database alone gives neither the keys nor a way to test guesses offline.
 */
export function apiKeyHash(hashKey: KeyObject, key: string): Buffer {
  return createHmac('sha256', hashKey).update(`open311-key:${key}`).digest()
}

/** The app a request speaks for. */
export interface Open311Client {
  id: string
  name: string
}

const keyPattern = /^o311_[A-Za-z0-9_-]{32}$/

/** The app holding this key; 403 for a key that is malformed, unknown or revoked alike. */
export async function clientOfKey(ctx: ServiceContext, key: string): Promise<Open311Client> {
  const found = keyPattern.test(key)
    ? await findActiveOpen311Client(ctx.db, apiKeyHash(ctx.privacy.hashKey, key))
    : undefined
  if (!found) {
    throw new ApiError(
      'FORBIDDEN',
      'api_key 无效或已被注销。请核对密钥；如需新的密钥，请向丽水市市场监督管理局申请（见 /developers/）。',
    )
  }
  return { id: found.id, name: found.name }
}

/**
 * Counts one call before checking it (rate-limit.ts): per key, or for a GET without a key per
 * client address; of any burst, exactly OPEN311_LIMIT_PER_KEY calls a minute pass.
 */
export async function countOpen311Call(
  ctx: ServiceContext,
  caller: { client: Open311Client | undefined; clientAddress: string },
): Promise<void> {
  const max = ctx.config.OPEN311_LIMIT_PER_KEY
  const address = caller.client ? undefined : clientKey(ctx.privacy.hashKey, caller.clientAddress)
  const bucket = caller.client
    ? `open311:key:${caller.client.id}`
    : address && `open311:addr:${address}`
  if (!bucket || max === 0) return
  const limit: Limit = {
    bucket,
    max,
    windowSeconds: 60,
    message: caller.client
      ? `调用太频繁：每个 api_key 每分钟最多调用 ${max} 次。`
      : `查询太频繁：不带 api_key 时同一网络每分钟最多查询 ${max} 次。`,
  }
  const now = Date.now()
  const totals = await countAttempt(ctx.db, [limit], now)
  if ((totals.get(bucket) ?? 0) > max) throw refusalOf(limit, now)
}
