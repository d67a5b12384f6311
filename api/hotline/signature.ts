import {
  createHmac,
  createSecretKey,
  randomBytes,
  timingSafeEqual,
  type KeyObject,
} from 'node:crypto'

/**
 * Standard Webhooks (https://www.standardwebhooks.com), the signing scheme of the 12345 contract
 * (DESIGN.md section 5): `webhook-signature` carries space-separated `v1,<base64 HMAC-SHA256>` of
 * `<webhook-id>.<webhook-timestamp>.<raw body>` under the secret `whsec_<base64>`.
 */

const secretPrefix = 'whsec_'
/** How far a `webhook-timestamp` may be from our clock, either way. */
export const timestampToleranceSeconds = 5 * 60

/** A parsed secret; the bytes stay out of logs (pino and inspect print only the marker). */
export interface WebhookSecret {
  /** Held as a KeyObject, made once: a Buffer key would be converted on every signature. */
  readonly key: KeyObject
  toJSON(): string
}

function secretOf(key: KeyObject): WebhookSecret {
  const secret: WebhookSecret = { key, toJSON: () => '[webhook secret]' }
  Object.defineProperty(secret, Symbol.for('nodejs.util.inspect.custom'), {
    value: () => '[webhook secret]',
  })
  return secret
}

/** Parses `whsec_<base64>`; the error never repeats the value. */
export function parseWebhookSecret(value: string): WebhookSecret {
  if (!value.startsWith(secretPrefix))
    throw new Error(`expected a value starting with "${secretPrefix}"`)
  const encoded = value.slice(secretPrefix.length)
  if (encoded.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(encoded)) {
    throw new Error('the part after "whsec_" must be base64')
  }
  const key = Buffer.from(encoded, 'base64')
  if (key.length < 24 || key.length > 64) {
    throw new Error('the key must be 24 to 64 bytes (32 recommended)')
  }
  return secretOf(createSecretKey(key))
}

/** Parses the space-separated secrets of HOTLINE_WEBHOOK_SECRET (several during a rotation). */
export function parseWebhookSecrets(value: string): WebhookSecret[] {
  return value.trim().split(/\s+/).filter(Boolean).map(parseWebhookSecret)
}

/** A new random secret in `whsec_` form. */
export function generateWebhookSecret(): string {
  return `${secretPrefix}${randomBytes(32).toString('base64')}`
}

/** A new message id (`msg_` and 24 base62-ish characters), as Standard Webhooks suggests. */
export function newWebhookId(): string {
  return `msg_${randomBytes(18).toString('base64url').replace(/[-_]/g, '0')}`
}

function mac(secret: WebhookSecret, id: string, timestamp: string, body: string | Buffer): Buffer {
  return createHmac('sha256', secret.key).update(`${id}.${timestamp}.`).update(body).digest()
}

/** The three headers that sign `body` as message `id` sent at `timestampSeconds`. */
export function signWebhook(
  secret: WebhookSecret,
  id: string,
  timestampSeconds: number,
  body: string | Buffer,
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  const timestamp = String(Math.floor(timestampSeconds))
  return {
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${mac(secret, id, timestamp, body).toString('base64')}`,
  }
}

export type VerifyFailure =
  'missing_headers' | 'bad_timestamp' | 'timestamp_out_of_range' | 'bad_signature'

export type VerifyResult =
  { ok: true; id: string; timestamp: Date } | { ok: false; reason: VerifyFailure }

/**
 * Checks a delivery against every secret (rotation) and every `v1` signature in the header, in
 * constant time per comparison. The raw body is what was signed: verify it before parsing it.
 */
export function verifyWebhook(options: {
  secrets: readonly WebhookSecret[]
  headers: {
    id?: string | null | undefined
    timestamp?: string | null | undefined
    signature?: string | null | undefined
  }
  body: string | Buffer
  now?: Date
}): VerifyResult {
  const { id, timestamp, signature } = options.headers
  if (!id || !timestamp || !signature) return { ok: false, reason: 'missing_headers' }
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'bad_timestamp' }
  const seconds = Number(timestamp)
  const nowSeconds = (options.now ?? new Date()).getTime() / 1000
  if (Math.abs(nowSeconds - seconds) > timestampToleranceSeconds) {
    return { ok: false, reason: 'timestamp_out_of_range' }
  }
  const offered = signature
    .split(' ')
    .filter((s) => s.startsWith('v1,'))
    .map((s) => Buffer.from(s.slice(3), 'base64'))
  let valid = false
  for (const secret of options.secrets) {
    const expected = mac(secret, id, timestamp, options.body)
    for (const candidate of offered) {
      // Every pair is compared, so the time taken does not tell which one matched.
      if (candidate.length === expected.length && timingSafeEqual(candidate, expected)) valid = true
    }
  }
  return valid
    ? { ok: true, id, timestamp: new Date(seconds * 1000) }
    : { ok: false, reason: 'bad_signature' }
}
