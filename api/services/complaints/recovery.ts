import { createHmac, randomInt, timingSafeEqual, type KeyObject } from 'node:crypto'
import { addCaseEvents } from '../../../db/queries/cases.ts'
import { findTrackedComplaint } from '../../../db/queries/complaints.ts'
import {
  completeRecovery,
  countWrongRecoveryTry,
  insertRecovery,
  lockOpenRecovery,
  recoveryTargetOf,
} from '../../../db/queries/query-code-recovery.ts'
import { insertSmsMessage } from '../../../db/queries/sms.ts'
import type { ServiceContext } from '../../deps.ts'
import { normalizeTrackingNo, trackingNoPattern } from '../../domain/tracking-codes.ts'
import { ApiError } from '../../errors.ts'
import { newWebhookId } from '../../hotline/signature.ts'
import { phoneHash } from '../../privacy/pii.ts'
import { clientKey } from '../limits/client-key.ts'
import { countAttempt, giveBackAttempt, refusalOf, type Limit } from '../limits/rate-limit.ts'
import { renderSms } from '../sms/templates.ts'
import { newQueryCode, queryCodeHash } from './codes.ts'
import { phoneField } from './schemas.ts'
import { isMobileNumber } from '../../domain/sms.ts'
import { trackedView, type TrackedComplaintView } from './track.ts'

/**
 * A lost query code, recovered by SMS (issue 25, item 2). The resident gives the case's tracking
 * number and the mobile number they left; if both match, a six-digit code goes to that phone,
 * valid five minutes, three tries. Entering it shows the case and issues a new query code: the
 * old one stops working.
 *
 * Nothing tells a stranger whether a phone belongs to a case: a request is answered the same
 * whether they match or not. Every request and every code entered is counted before it is
 * checked (rate-limit.ts), so a burst sent at once gets no more checks than the rule allows.
 */
export const recoveryRule = {
  codeDigits: 6,
  validSeconds: 300,
  /** Wrong codes a tracking number takes in `lockSeconds` before it is locked for the rest. */
  triesPerCase: 3,
  lockSeconds: 1800,
  /** Codes asked for in an hour: per tracking number, per phone, per client address. */
  requestsPerCase: 3,
  requestsPerPhone: 3,
  requestsPerAddress: 10,
  /** Codes entered in an hour from one client address, all cases together. */
  triesPerAddress: 20,
} as const

/** The answer to every well-formed request within the limits, matched or not. */
export const recoveryRequestedMessage =
  '如果受理编号和手机号与提交时留下的一致，验证码已发送到该手机（5 分钟内有效，请勿告诉他人）。没有收到的，可在几分钟后重新获取，或拨打 12345 求助。'

const wrongCodeMessage =
  '验证码不正确或已失效。请核对短信中的 6 位数字；验证码 5 分钟内有效，输错 3 次需重新获取。'

const hour = 3600

function recoveryCodeHash(hashKey: KeyObject, trackingNo: string, code: string): Buffer {
  return createHmac('sha256', hashKey).update(`recovery:${trackingNo}:${code}`).digest()
}

function fieldRefusal(field: string, message: string) {
  return new ApiError('VALIDATION_FAILED', message, [{ field, message }])
}

/** A tracking number as typed, normalised; refused, saying how, when it cannot be one. */
function checkedTrackingNo(raw: string): string {
  const trackingNo = normalizeTrackingNo(raw.slice(0, 40))
  if (!trackingNoPattern.test(trackingNo)) {
    throw fieldRefusal(
      'trackingNo',
      '受理编号格式不对。请按回执或短信上的编号填写，如 JL20261206-4827-3915。',
    )
  }
  return trackingNo
}

/** Throws the 429 of the first limit past its maximum, after counting this attempt in all. */
async function countAndCheck(ctx: ServiceContext, limits: Limit[], now: number) {
  const totals = await countAttempt(ctx.db, limits, now)
  for (const limit of limits) {
    if ((totals.get(limit.bucket) ?? 0) > limit.max) throw refusalOf(limit, now)
  }
}

/**
 * 找回查询码, step 1: asks for a code by SMS. Answers `recoveryRequestedMessage` whether or not
 * the phone matches the case; only a match queues the message (urgent: sent in quiet hours too,
 * and given up if still unsent when the code expires).
 */
export async function requestQueryCodeRecovery({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { trackingNo: string; phone: string; clientAddress: string; now?: Date }
}): Promise<{ message: string }> {
  const trackingNo = checkedTrackingNo(input.trackingNo)
  const phone = phoneField.safeParse(input.phone.slice(0, 40))
  if (!phone.success || !isMobileNumber(phone.data)) {
    throw fieldRefusal('phone', '请填写提交投诉举报时留下的 11 位手机号。')
  }
  const digest = phoneHash(ctx.privacy.hashKey, phone.data!)
  const client = clientKey(ctx.privacy.hashKey, input.clientAddress)
  const now = input.now ?? new Date()
  const r = recoveryRule
  await countAndCheck(
    ctx,
    [
      {
        bucket: `recover:case:${trackingNo}`,
        max: r.requestsPerCase,
        windowSeconds: hour,
        message: '这个受理编号一小时内获取验证码的次数已满。',
      },
      {
        bucket: `recover:phone:${digest.toString('hex')}`,
        max: r.requestsPerPhone,
        windowSeconds: hour,
        message: '这个手机号一小时内获取验证码的次数已满。',
      },
      ...(client
        ? [
            {
              bucket: `recover:addr:${client}`,
              max: r.requestsPerAddress,
              windowSeconds: hour,
              message: '您的网络一小时内获取验证码的次数已满。',
            },
          ]
        : []),
    ],
    now.getTime(),
  )
  const target = await recoveryTargetOf(ctx.db, trackingNo)
  const matches =
    target?.phoneHash != null &&
    target.phoneHash.length === digest.length &&
    timingSafeEqual(target.phoneHash, digest)
  if (target && matches) {
    const code = String(randomInt(10 ** r.codeDigits)).padStart(r.codeDigits, '0')
    const expiresAt = new Date(now.getTime() + r.validSeconds * 1000)
    await ctx.db.transaction().execute(async (trx) => {
      const recoveryId = await insertRecovery(trx, {
        complaintId: target.id,
        codeHash: recoveryCodeHash(ctx.privacy.hashKey, trackingNo, code),
        expiresAt,
        now,
      })
      await insertSmsMessage(trx, {
        complaintId: target.id,
        messageKey: `recovery:${recoveryId}`,
        event: 'recovery_code',
        inOrderOf: `recovery:${target.id}`,
        priority: 'urgent',
        ...renderSms(ctx.smsTemplates, 'recovery_code', { trackingNo, code }),
        messageId: newWebhookId(),
        expiresAt,
      })
    })
    ctx.logger.info({ complaintId: target.id }, 'query code recovery: code sent')
  }
  return { message: recoveryRequestedMessage }
}

/** The case as its resident sees it, with the new query code shown once. */
export interface RecoveredCase {
  queryCode: string
  view: TrackedComplaintView
}

/**
 * 找回查询码, step 2: the code from the SMS. A right code shows the case and replaces its query
 * code with a new one (the old one stops working; the public timeline says so). Three wrong
 * codes for a tracking number lock it for half an hour, whatever the code; a right one gives its
 * count back.
 */
export async function redeemQueryCodeRecovery({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { trackingNo: string; code: string; clientAddress: string; now?: Date }
}): Promise<RecoveredCase> {
  const trackingNo = checkedTrackingNo(input.trackingNo)
  const code = input.code.normalize('NFKC').replace(/\s/g, '')
  if (!/^\d{6}$/.test(code)) throw fieldRefusal('code', '请填写短信中的 6 位数字验证码。')
  const client = clientKey(ctx.privacy.hashKey, input.clientAddress)
  const now = input.now ?? new Date()
  const r = recoveryRule
  const perCase: Limit = {
    bucket: `recover:try:${trackingNo}`,
    max: r.triesPerCase,
    windowSeconds: r.lockSeconds,
    message: '这个受理编号的验证码已连续输错 3 次，暂停验证。',
  }
  const limits: Limit[] = [
    perCase,
    ...(client
      ? [
          {
            bucket: `recover:tryaddr:${client}`,
            max: r.triesPerAddress,
            windowSeconds: hour,
            message: '您的网络一小时内输入验证码的次数过多。',
          },
        ]
      : []),
  ]
  await countAndCheck(ctx, limits, now.getTime())
  const newCode = newQueryCode()
  const recovered = await ctx.db.transaction().execute(async (trx) => {
    const target = await recoveryTargetOf(ctx.db, trackingNo)
    if (!target) return false
    const open = await lockOpenRecovery(trx, target.id, { now, maxTries: r.triesPerCase })
    if (!open) return false
    const candidate = recoveryCodeHash(ctx.privacy.hashKey, trackingNo, code)
    if (!timingSafeEqual(candidate, open.codeHash)) {
      await countWrongRecoveryTry(trx, open.id)
      return false
    }
    await completeRecovery(trx, {
      id: open.id,
      complaintId: target.id,
      queryCodeHash: queryCodeHash(ctx.privacy.hashKey, trackingNo, newCode),
      at: now,
    })
    await addCaseEvents(trx, [
      {
        complaintId: target.id,
        kind: 'query_code_reset',
        isPublic: true,
        note: '您通过短信验证找回了查询码：已生成新的查询码，原查询码不再有效。',
        actor: 'citizen',
        occurredAt: now,
      },
    ])
    return true
  })
  if (!recovered) throw new ApiError('NOT_FOUND', wrongCodeMessage)
  await giveBackAttempt(ctx.db, [perCase], now.getTime())
  const found = await findTrackedComplaint(ctx.db, trackingNo)
  if (!found) throw new Error(`case ${trackingNo} vanished after its query code was recovered`)
  ctx.logger.info({ complaintId: found.id }, 'query code recovery: new query code issued')
  return { queryCode: newCode, view: await trackedView(ctx, found) }
}
