import {
  claimDueSms,
  nextSmsDue,
  postponeSms,
  recordSmsAttempt,
  renewSmsLeases,
  blankSentCodes,
  sealedPhonesOf,
  smsMessagesChannel,
  type ClaimedSms,
  type SealedPhone,
} from '../../../db/queries/sms.ts'
import type { Deps } from '../../deps.ts'
import {
  isMobileNumber,
  isQuietHour,
  quietHoursEnd,
  smsDailyCapPerPhone,
  smsDaySeconds,
  type SmsPriority,
} from '../../domain/sms.ts'
import type { Logger } from '../../logger.ts'
import { contactAad, decryptField } from '../../privacy/pii.ts'
import { countAttempt, giveBackAttempt, windowOf, type Limit } from '../limits/rate-limit.ts'
import { afterFailure, smsPolicy } from '../shared/queue-policy.ts'
import { startDeliveryLoop, type DeliveryLoop } from '../shared/listen.ts'
import { holdLease, type HeldLease } from '../shared/lease.ts'
import { configuredSmsTransport, openSmsTransport, type SmsTransport } from './transports.ts'

/** Messages tried at once; each is the head of its own case's messages. */
const batchSize = 20

type SmsDeps = Pick<Deps, 'db' | 'config' | 'logger' | 'privacy' | 'smsTemplates'>

/** The priorities that may be sent at `now`: urgent ones only in quiet hours. */
const sendableAt = (now: Date): SmsPriority[] =>
  isQuietHour(now) ? ['urgent'] : ['urgent', 'normal']

/** The daily cap of one phone (by its keyed hash, never the number), counted per sending day. */
const capOf = (phoneHash: Buffer): Limit => ({
  bucket: `sms:phone:${phoneHash.toString('base64url')}`,
  max: smsDailyCapPerPhone,
  windowSeconds: smsDaySeconds,
  message: '',
})

type TryResult = 'sent' | 'failed' | 'postponed'

async function tryOne(
  deps: SmsDeps,
  logger: Logger,
  transport: SmsTransport,
  contact: SealedPhone | undefined,
  row: ClaimedSms,
  now: Date,
  lease: HeldLease,
): Promise<TryResult> {
  // Logs name the message, the case and the outcome; never the phone or the text.
  const fields = {
    smsId: row.id,
    complaintId: row.complaintId,
    event: row.event,
    transport: transport.name,
    attempts: row.attempts,
  }
  const giveUp = async (error: string) => {
    await lease.release([row.id])
    await recordSmsAttempt(deps.db, row, {
      sent: false,
      at: now,
      status: null,
      error,
      next: { dead: true },
    })
    logger.warn({ ...fields, err: error }, 'SMS given up')
    return 'failed' as const
  }
  if (row.expiresAt !== null && row.expiresAt <= now) {
    return giveUp('验证码已过期，短信不再发送')
  }
  if (!contact?.phoneSealed || !contact.piiKeyId) {
    return giveUp('没有可用的手机号（未留或已按规定删除），短信不再发送')
  }
  let phone: string
  try {
    phone = decryptField(
      deps.privacy.ring,
      contact.piiKeyId,
      contact.phoneSealed,
      contactAad(contact.trackingNo, 'phone'),
    )
  } catch {
    return giveUp('手机号无法解密（密钥不符），短信不再发送')
  }
  if (!isMobileNumber(phone)) return giveUp('留下的号码不是手机号，收不到短信')

  // The cap is counted before it is checked, so workers sending at once never pass it together.
  const cap = capOf(contact.phoneHash ?? Buffer.from(`complaint:${row.complaintId}`))
  const total = (await countAttempt(deps.db, [cap], now.getTime())).get(cap.bucket) ?? 0
  if (total > cap.max) {
    const windowEnd = new Date(windowOf(cap, now.getTime()).start.getTime() + smsDaySeconds * 1000)
    await lease.release([row.id])
    await postponeSms(deps.db, row, quietHoursEnd(windowEnd))
    logger.info(fields, 'SMS waits for the next day: the daily cap of its phone is reached')
    return 'postponed'
  }

  const outcome = await transport.send({
    phone,
    signName: deps.smsTemplates.signName,
    templateCode: row.templateCode,
    params: row.params,
    body: row.body,
    messageId: row.messageId,
  })
  await lease.release([row.id])
  if (outcome.ok) {
    await recordSmsAttempt(deps.db, row, {
      sent: true,
      at: now,
      status: outcome.status,
      providerId: outcome.providerId,
    })
    logger.info({ ...fields, status: outcome.status }, 'SMS sent')
    return 'sent'
  }
  // Not sent: the day's count is given back, so a provider that was down does not use it up.
  await giveBackAttempt(deps.db, [cap], now.getTime())
  const next = outcome.permanent ? { dead: true as const } : afterFailure(smsPolicy, row.attempts)
  await recordSmsAttempt(deps.db, row, {
    sent: false,
    at: now,
    status: outcome.status,
    error: outcome.error,
    next,
  })
  logger.warn(
    { ...fields, status: outcome.status, err: outcome.error, dead: next.dead },
    'SMS not sent',
  )
  return 'failed'
}

/**
 * Sends every message due at `now` (tests pass their own clock) that may go then: in quiet hours
 * (21:00–08:00 Beijing time) urgent ones only; each case's messages in order; each phone at most
 * `smsDailyCapPerPhone` a day, the rest waiting for the next. With no transport configured
 * nothing is tried and messages stay queued. Answers how many were sent, failed and postponed.
 */
export async function deliverDueSms(
  deps: SmsDeps,
  options: { now?: Date } = {},
): Promise<Record<TryResult, number>> {
  const totals: Record<TryResult, number> = { sent: 0, failed: 0, postponed: 0 }
  const transport = openSmsTransport(deps.config)
  if (!transport) return totals
  const logger = deps.logger.child({ component: 'sms' })
  const now = options.now ?? new Date()
  for (;;) {
    const claimed = await claimDueSms(deps.db, {
      now,
      limit: batchSize,
      leaseSeconds: smsPolicy.leaseSeconds,
      priorities: sendableAt(now),
    })
    if (claimed.length === 0) break
    const lease = holdLease({
      claims: claimed.map((r) => ({ key: r.id, attempts: r.attempts })),
      leaseSeconds: smsPolicy.leaseSeconds,
      renew: (claims) => renewSmsLeases(deps.db, claims, smsPolicy.leaseSeconds),
      logger,
    })
    let results: TryResult[]
    try {
      const ids = [...new Set(claimed.map((r) => r.complaintId))]
      const contacts = await sealedPhonesOf(deps.db, ids)
      results = await Promise.all(
        claimed.map((row) =>
          tryOne(deps, logger, transport, contacts.get(row.complaintId), row, now, lease),
        ),
      )
    } finally {
      await lease.release()
    }
    for (const result of results) totals[result] += 1
    // A sent message lets the next one of its case go: look again until nothing is due.
    if (!results.includes('sent')) break
  }
  if (totals.sent + totals.failed > 0) await blankSentCodes(deps.db)
  return totals
}

/**
 * The SMS loop of a worker process (shared/listen.ts startDeliveryLoop): sends what is due, then
 * sleeps until the next message may go (at most `pollIntervalMs`; quiet hours end at 08:00),
 * woken by the table's NOTIFY when one is queued. With no transport configured it does not
 * start: messages wait, and the console says so.
 */
export function startSmsDelivery(
  deps: SmsDeps,
  options: { databaseUrl?: string | undefined; pollIntervalMs?: number } = {},
): DeliveryLoop {
  const logger = deps.logger.child({ component: 'sms' })
  if (configuredSmsTransport(deps.config) === null) {
    logger.info(
      'neither SMS_ALIYUN_ACCESS_KEY_ID nor SMS_GATEWAY_URL is set: messages to residents stay queued',
    )
    return { stop: () => Promise.resolve() }
  }
  return startDeliveryLoop({
    channel: smsMessagesChannel,
    databaseUrl: options.databaseUrl,
    pollIntervalMs: options.pollIntervalMs ?? 30_000,
    logger,
    failure: 'SMS delivery pass failed',
    pass: () => deliverDueSms(deps),
    nextDue: async () => {
      const now = new Date()
      const next = await nextSmsDue(deps.db, sendableAt(now))
      // In quiet hours the normal messages are due again when they end.
      if (!isQuietHour(now)) return next
      const end = quietHoursEnd(now)
      return next && next < end ? next : end
    },
  })
}
