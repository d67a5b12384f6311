import { z } from '@hono/zod-openapi'
import {
  findRejectedInbox,
  listRejectedInbox,
  requeueRejectedInbox,
} from '../../../../db/queries/hotline-callbacks.ts'
import type { ServiceContext } from '../../../deps.ts'
import { ApiError } from '../../../errors.ts'
import { maskName, maskPersonalNumbers, maskPhone } from '../../../domain/masks.ts'
import { decryptField } from '../../../privacy/pii.ts'
import { issueDetails } from '../../../validation.ts'
import type { SignedInOperator } from '../access.ts'
import { recordAudit } from '../audit.ts'
import { requireHotlineAdmin } from './admin-access.ts'
import { hotlineEventSchema } from '../../hotline/events.ts'

const listLimit = 100
/** A body is shown up to this many characters; the rest is cut. */
const shownChars = 20_000

const problemSchema = z.object({ field: z.string(), message: z.string() })
type Problem = z.infer<typeof problemSchema>

export const rejectedEventSchema = z
  .object({
    webhookId: z.string(),
    receivedAt: z.string(),
    /** The sender's webhook-timestamp. */
    sentAt: z.string(),
    /** What the hotline was answered. */
    responseStatus: z.number().int(),
    /** Why the schema refused it. */
    errors: z.array(problemSchema),
    /** The stored body, phone numbers and names masked; null when it cannot be opened. */
    body: z.string().nullable(),
  })
  .openapi('RejectedHotlineEvent')

export type RejectedEvent = z.infer<typeof rejectedEventSchema>

export const rejectedRetrySchema = z
  .object({
    webhookId: z.string(),
    state: z.literal('pending'),
    eventType: z.string(),
    ticketNo: z.string(),
  })
  .openapi('RejectedHotlineEventRetried')

/** The stored errors, in whatever shape the intake kept them, as field–message pairs. */
function problemsOf(errors: unknown): Problem[] {
  if (errors === null || errors === undefined) return []
  const items = Array.isArray(errors) ? (errors as unknown[]) : [errors]
  return items.map((item) => {
    const parsed = problemSchema.safeParse(item)
    if (parsed.success) return parsed.data
    return { field: '', message: typeof item === 'string' ? item : JSON.stringify(item) }
  })
}

const phoneKey = /phone|mobile|tel/i
const nameKey = /(^|_)name$/i
/** A business is no person: its name stays readable. */
const businessKeys = new Set(['respondent_name', 'host_dept'])

const isPersonName = (key: string) => nameKey.test(key) && !businessKeys.has(key)

/** The names the body gives for people, so they can be found in its free text too. */
function namesIn(value: unknown, key = '', found = new Set<string>()): Set<string> {
  if (typeof value === 'string' && isPersonName(key) && value.trim().length > 0) {
    found.add(value.trim())
  } else if (Array.isArray(value)) {
    for (const v of value) namesIn(v, key, found)
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) namesIn(v, k, found)
  }
  return found
}

/**
 * Masks what identifies the caller: named fields by their kind, and in every other text the
 * names those fields give and any phone or ID number.
 */
function masked(value: unknown, names: ReadonlySet<string>, key = ''): unknown {
  if (typeof value === 'string') {
    if (phoneKey.test(key)) return maskPhone(value)
    if (isPersonName(key)) return maskName(value)
    let text = maskPersonalNumbers(value)
    for (const name of names) text = text.replaceAll(name, maskName(name))
    return text
  }
  if (Array.isArray(value)) return value.map((v) => masked(v, names, key))
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, masked(v, names, k)]))
  }
  return value
}

function openBody(
  ctx: ServiceContext,
  row: { webhookId: string; piiKeyId: string; bodySealed: Buffer },
) {
  return decryptField(
    ctx.privacy.ring,
    row.piiKeyId,
    row.bodySealed,
    `hotline_inbox:${row.webhookId}`,
  )
}

function shownBody(raw: string): string {
  let text: string
  try {
    const body: unknown = JSON.parse(raw)
    text = JSON.stringify(masked(body, namesIn(body)), null, 2)
  } catch {
    // Not JSON: names cannot be told apart, numbers still are.
    text = maskPersonalNumbers(raw)
  }
  return text.length > shownChars ? `${text.slice(0, shownChars)}\n…（以下省略）` : text
}

/**
 * Inbound events the schema refused, the latest first, with their errors and their bodies opened
 * and masked (city_admin only; the viewing is audited, as any opening of sealed data is).
 */
export async function listRejected({
  ctx,
  operator,
  input,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: { clientAddress: string }
}): Promise<RejectedEvent[]> {
  requireHotlineAdmin(operator)
  const rows = await listRejectedInbox(ctx.db, listLimit)
  const items = rows.map((row) => {
    let body: string | null = null
    try {
      body = shownBody(openBody(ctx, row))
    } catch (error) {
      ctx.logger.warn({ webhookId: row.webhookId, err: String(error) }, 'inbox body unreadable')
    }
    return {
      webhookId: row.webhookId,
      receivedAt: row.receivedAt.toISOString(),
      sentAt: row.webhookTimestamp.toISOString(),
      responseStatus: row.responseStatus,
      errors: problemsOf(row.errors),
      body,
    }
  })
  await recordAudit(ctx.db, {
    operator,
    action: 'hotline.rejected_viewed',
    clientAddress: input.clientAddress,
    detail: { count: items.length, webhookIds: items.map((i) => i.webhookId).slice(0, 50) },
  })
  return items
}

/**
 * Checks a rejected event's stored body against today's schema: if it passes now (the hotline's
 * mistake was ours, and the schema has been fixed), it goes to the inbound worker as pending,
 * with its type, ticket and time filled in; if not, the answer is 409 with the errors. Either
 * way the retry is audited.
 */
export const rejectedNotFoundMessage = '没有找到这条被拒收的事件，可能已被重新处理。'

export async function retryRejected({
  ctx,
  operator,
  input,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: { webhookId: string; clientAddress: string; now?: Date }
}): Promise<z.infer<typeof rejectedRetrySchema>> {
  requireHotlineAdmin(operator)
  const row = await findRejectedInbox(ctx.db, input.webhookId)
  if (!row) throw new ApiError('NOT_FOUND', rejectedNotFoundMessage)
  let problems: Problem[]
  let event: z.infer<typeof hotlineEventSchema> | undefined
  try {
    const parsed = hotlineEventSchema.safeParse(JSON.parse(openBody(ctx, row)))
    if (parsed.success) event = parsed.data
    problems = parsed.success ? [] : issueDetails(parsed.error)
  } catch {
    problems = [{ field: '', message: '内容不是有效的 JSON，无法处理。' }]
  }
  const audit = (outcome: string, trx = ctx.db) =>
    recordAudit(trx, {
      operator,
      action: 'hotline.rejected_retried',
      clientAddress: input.clientAddress,
      detail: { webhookId: row.webhookId, outcome, errors: problems.length },
    })
  if (!event) {
    await audit('still_invalid')
    const messages = problems.map((p) => (p.field ? `${p.field}：${p.message}` : p.message))
    throw new ApiError(
      'CONFLICT',
      `这条事件仍未通过校验，不能重新处理：${messages.join(' ')}`,
      problems,
    )
  }
  const valid = event
  await ctx.db.transaction().execute(async (trx) => {
    const requeued = await requeueRejectedInbox(trx, row.webhookId, {
      eventType: valid.type,
      ticketNo: valid.ticket.ticket_no,
      occurredAt: new Date(valid.occurred_at),
      now: input.now ?? new Date(),
    })
    if (!requeued) throw new ApiError('NOT_FOUND', rejectedNotFoundMessage)
    await audit('requeued', trx)
  })
  return {
    webhookId: row.webhookId,
    state: 'pending',
    eventType: valid.type,
    ticketNo: valid.ticket.ticket_no,
  }
}
