import { createHash } from 'node:crypto'
import { inboxResponse, notifyInbox } from '../../../db/queries/hotline-inbox.ts'
import type { ServiceContext } from '../../deps.ts'
import { ApiError, errorBody } from '../../errors.ts'
import { decryptField, encryptField, type PiiKeyring } from '../../privacy/pii.ts'
import { issueDetails } from '../../validation.ts'
import { freeTextFields, hotlineEventSchema, type HotlineEvent } from './events.ts'
import { verifyWebhook, type VerifyFailure } from '../../hotline/signature.ts'
import { inboxBatcherFor } from './inbox-batcher.ts'

/** Why a delivery was refused, for the hotline's staff (DESIGN.md section 5). */
export const verifyFailureMessages: Record<VerifyFailure, string> = {
  missing_headers:
    '缺少 webhook-id、webhook-timestamp 或 webhook-signature 请求头，无法验证签名。请按 Standard Webhooks 规范签名后重新发送。',
  bad_timestamp:
    'webhook-timestamp 应为以秒计的 Unix 时间戳。请按 Standard Webhooks 规范重新签名发送。',
  timestamp_out_of_range:
    'webhook-timestamp 与本系统时间相差超过 5 分钟，请求被拒绝。请核对发送方的时钟后重新签名发送。',
  bad_signature:
    '签名无效：webhook-signature 与用约定密钥计算的签名不符。请核对密钥，并对原始请求内容签名后重新发送。',
}

/**
 * What a `webhook-id` may hold. It keys the event's inbox row, whose column takes at most 256
 * characters, and it is signed as `<id>.<timestamp>.<body>`, so Standard Webhooks says it must not
 * contain a `.`. Letters, digits and `_ - : + / =` cover the ids its libraries make (`msg_…`,
 * UUIDs, base64); spaces, control characters and anything outside ASCII are refused.
 */
export const webhookIdMaxLength = 256
export const webhookIdCharacters = /^[A-Za-z0-9_:+/=-]+$/

/** The 400 for a signed delivery whose id could not be stored, or undefined when it can. */
function badWebhookId(id: string): ApiError | undefined {
  const problem =
    id.length > webhookIdMaxLength
      ? `webhook-id 长 ${id.length} 个字符，超过了 ${webhookIdMaxLength} 个字符的上限。`
      : webhookIdCharacters.test(id)
        ? undefined
        : 'webhook-id 只能由英文字母、数字和 _ - : + / = 组成，不能含“.”、空格、控制字符或中文等其他字符。'
  if (!problem) return undefined
  return new ApiError(
    'VALIDATION_FAILED',
    `${problem}请按 Standard Webhooks 规范为事件生成标识（如 msg_ 加随机字母数字），重新签名后发送；本次事件未保存。`,
    [{ field: 'webhook-id', message: problem }],
  )
}

export interface HotlineDelivery {
  headers: {
    id?: string | undefined
    timestamp?: string | undefined
    signature?: string | undefined
  }
  /** The raw body, exactly as received: it is what was signed. */
  body: string
  requestId: string
  now?: Date
}

export interface HotlineAnswer {
  status: 202 | 400
  body: unknown
  /** True when this answers a `webhook-id` stored before, with the first answer. */
  replayed: boolean
}

/** The AAD of a stored body: it opens only in its own inbox row. */
const bodyAad = (webhookId: string) => `hotline_inbox:${webhookId}`

function parseEvent(
  body: string,
):
  { ok: true; event: HotlineEvent } | { ok: false; details: { field: string; message: string }[] } {
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    return { ok: false, details: [{ field: '', message: '请求内容不是有效的 JSON，无法解析。' }] }
  }
  const parsed = hotlineEventSchema.safeParse(json)
  return parsed.success
    ? { ok: true, event: parsed.data }
    : { ok: false, details: issueDetails(parsed.error) }
}

/**
 * Receives one event from the 12345 hotline (POST /api/hotline/12345/events): verifies the
 * Standard Webhooks signature over the raw body (401 and nothing stored when it fails), then
 * stores the sealed body under its `webhook-id` before answering. A valid event waits in the
 * inbox for the worker (202); one that fails the schema is kept as rejected (400, with the
 * failing fields). An id seen before is answered as the first time and changes nothing.
 *
 * A signed event whose `webhook-id` is too long or holds characters an id may not have answers
 * 400 and is not stored: the id is the inbox row's key and its body's seal, so there is no row to
 * keep it in as rejected, and a retry of it gets the same 400 without one.
 */
export async function receiveHotlineEvent({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: HotlineDelivery
}): Promise<HotlineAnswer> {
  const verified = verifyWebhook({
    secrets: ctx.hotline.webhookSecrets,
    headers: input.headers,
    body: input.body,
    now: input.now ?? new Date(),
  })
  if (!verified.ok) {
    throw new ApiError('UNAUTHORIZED', verifyFailureMessages[verified.reason], {
      reason: verified.reason,
    })
  }
  const webhookId = verified.id
  const idError = badWebhookId(webhookId)
  if (idError) throw idError
  const digest = createHash('sha256').update(input.body).digest()
  const parsed = parseEvent(input.body)
  const sealed = encryptField(ctx.privacy.ring, input.body, bodyAad(webhookId))
  const answer: Omit<HotlineAnswer, 'replayed'> = parsed.ok
    ? { status: 202, body: { received: true, webhook_id: webhookId } }
    : {
        status: 400,
        body: errorBody(
          new ApiError(
            'VALIDATION_FAILED',
            `事件内容有误：${[...new Set(parsed.details.map((d) => d.message))].join(' ')}`,
            parsed.details,
          ),
          input.requestId,
        ),
      }
  const inserted = await inboxBatcherFor(ctx.db).store({
    webhookId,
    webhookTimestamp: verified.timestamp,
    bodySha256: digest,
    piiKeyId: sealed.keyId,
    bodySealed: sealed.sealed,
    eventType: parsed.ok ? parsed.event.type : null,
    ticketNo: parsed.ok ? parsed.event.ticket.ticket_no : null,
    occurredAt: parsed.ok ? new Date(parsed.event.occurred_at) : null,
    state: parsed.ok ? 'pending' : 'rejected',
    responseStatus: answer.status,
    responseBody: answer.body,
    errors: parsed.ok ? null : parsed.details,
  })
  if (inserted === undefined) {
    // The id was stored before (a retry, or a concurrent delivery): answer as it was answered.
    const first = await inboxResponse(ctx.db, webhookId)
    if (!first) throw new Error(`hotline inbox row ${webhookId} vanished`)
    return replay(ctx, webhookId, first, digest)
  }
  if (parsed.ok) wakeWorkers(ctx)
  return { status: answer.status, body: inserted, replayed: false }
}

/** When this process last asked the workers to wake, per database. */
const wakeScheduled = new WeakMap<ServiceContext['db'], boolean>()
/** How long events stored in a burst wait, at most, to share one notification. */
const wakeCoalesceMs = 20

/**
 * Tells the inbox workers (LISTEN hotline_inbox, in every process) that events are waiting: once
 * per 20 ms however many arrive, outside the request's transaction and after its answer is
 * ready. Should the notification be lost, the workers' polling still finds the event.
 */
function wakeWorkers(ctx: ServiceContext) {
  if (wakeScheduled.get(ctx.db)) return
  wakeScheduled.set(ctx.db, true)
  setTimeout(() => {
    wakeScheduled.delete(ctx.db)
    notifyInbox(ctx.db).catch((error: unknown) =>
      ctx.logger.warn({ err: String(error) }, 'could not wake the hotline inbox workers'),
    )
  }, wakeCoalesceMs).unref()
}

function replay(
  ctx: ServiceContext,
  webhookId: string,
  stored: { responseStatus: number; responseBody: unknown; bodySha256: Buffer },
  digest: Buffer,
): HotlineAnswer {
  if (!stored.bodySha256.equals(digest)) {
    ctx.logger.warn({ webhookId }, 'hotline webhook-id repeated with a different body; ignored')
  }
  return {
    status: stored.responseStatus === 400 ? 400 : 202,
    body: stored.responseBody,
    replayed: true,
  }
}

/**
 * A stored body rebuilt from the contract's fields only, changed by `edit`, and sealed again under
 * the current key. Whatever else the hotline sent (a field added on its side, a later event's copy
 * of the ticket) is dropped, since nothing here reads it and it may quote the caller. The event
 * still parses, so the ticket's history still folds. Throws if the body no longer opens or parses.
 */
function rebuiltInboxBody(
  ring: PiiKeyring,
  row: { webhookId: string; piiKeyId: string; bodySealed: Buffer },
  edit: (part: (name: string) => Record<string, unknown>, type: HotlineEvent['type']) => void,
): { piiKeyId: string; bodySealed: Buffer } {
  const parsed = openInboxEvent(ring, row)
  // A later event names its ticket and nothing more (its schema lets other ticket fields through).
  const event: Record<string, unknown> =
    parsed.type === 'ticket.dispatched'
      ? { ...parsed, ticket: { ...parsed.ticket } }
      : { ...parsed, ticket: { ticket_no: parsed.ticket.ticket_no } }
  const part = (name: string) => {
    const value = event[name]
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {}
  }
  edit(part, parsed.type)
  const sealed = encryptField(ring, JSON.stringify(event), bodyAad(row.webhookId))
  return { piiKeyId: sealed.keyId, bodySealed: sealed.sealed }
}

/**
 * A stored body with the caller taken out (api/services/admin/cases/retention.ts): rebuilt from the
 * contract's fields, without the name and phone, and with every free text (the ticket's title,
 * content and address; a later event's supplement, note, reason or opinion) replaced with
 * `placeholder`.
 */
export function redactInboxBody(
  ring: PiiKeyring,
  row: { webhookId: string; piiKeyId: string; bodySealed: Buffer },
  placeholder: string,
): { piiKeyId: string; bodySealed: Buffer } {
  return rebuiltInboxBody(ring, row, (part) => {
    delete part('ticket').contact_name
    delete part('ticket').contact_phone
    for (const [name, fields] of Object.entries(freeTextFields)) {
      const found = part(name)
      for (const field of fields) if (typeof found[field] === 'string') found[field] = placeholder
    }
  })
}

/**
 * A stored body with the caller's name and phone as corrected at their request
 * (admin/cases/correct-contact.ts): the work order keeps the details the case has, not the ones
 * the resident asked to have replaced. A detail the case no longer has is left out.
 */
export function correctedInboxBody(
  ring: PiiKeyring,
  row: { webhookId: string; piiKeyId: string; bodySealed: Buffer },
  contact: { name: string | null; phone: string | null },
): { piiKeyId: string; bodySealed: Buffer } {
  return rebuiltInboxBody(ring, row, (part, type) => {
    // Only the dispatch carries the caller; a later event's ticket is its number alone.
    if (type !== 'ticket.dispatched') return
    const ticket = part('ticket')
    delete ticket.contact_name
    delete ticket.contact_phone
    if (contact.name !== null) ticket.contact_name = contact.name
    if (contact.phone !== null) ticket.contact_phone = contact.phone
  })
}

/** Opens and parses a stored body; throws if it no longer opens or parses. */
export function openInboxEvent(
  ring: PiiKeyring,
  row: { webhookId: string; piiKeyId: string; bodySealed: Buffer },
): HotlineEvent {
  const body = decryptField(ring, row.piiKeyId, row.bodySealed, bodyAad(row.webhookId))
  return hotlineEventSchema.parse(JSON.parse(body))
}
