import { randomBytes } from 'node:crypto'
import type { IntakeOutcome } from '../../../db/queries/complaints.ts'
import { mayHaveCommitted } from '../../../db/errors.ts'
import type { AcceptedPhoto, IncomingPhoto } from '../../photos/accept.ts'
import { phoneHash } from '../../privacy/pii.ts'
import type { ServiceContext } from '../../deps.ts'
import type { ComplaintKind } from '../../../db/database.ts'
import { beijingDate } from '../../domain/beijing-time.ts'
import { clientKey } from '../limits/client-key.ts'
import { refusalOf, type Limit } from '../limits/rate-limit.ts'
import { newQueryCode, newTrackingNo } from './codes.ts'
import { checkSubmission } from './file-checks.ts'
import {
  forgetExpiredKey,
  idempotencyKeyOf,
  replayOf,
  type IdempotencyKey,
} from './file-idempotency.ts'
import { draftIntake, type IntakeParts } from './file-intake.ts'
import { fileThroughBatcher } from './intake-batcher.ts'
import { photoFolderOf } from './orphan-photos.ts'
import type { ComplaintReceipt } from './receipt.ts'
import { deadlineFor, legalDeadlineDays } from '../../domain/working-days.ts'

export interface FileComplaintInput {
  /** The fields, already typed (JSON) or converted with `formFieldsToInput` (forms). */
  fields: unknown
  photos: IncomingPhoto[]
  /** From the `Idempotency-Key` header or the form's hidden token. */
  idempotencyKey?: string | undefined
  clientAddress: string
  /**
   * A registered app filing for residents (Open311, api/services/open311/): one server relays
   * many residents, so its own hourly limit replaces the per-network one.
   */
  app?: { id: string; maxPerHour: number } | undefined
}

class AlreadyFiled extends Error {}

/** How many random tracking numbers a complaint may draw before filing gives up. */
const maxTrackingNoDraws = 5

/**
 * Files a complaint (投诉) or report (举报): validates it, applies the abuse limits, computes the
 * legal deadline, seals the personal data, stores photos, and writes the limit counts, the
 * complaint, its first timeline entry, its photos, the outbox message for the private index and
 * the idempotency record in one statement, together with the other complaints arriving at the
 * same moment (intake-batcher.ts): all or nothing for each complaint. A 201 therefore means the
 * complaint is committed; a repeat with the same key (or, without one, the same content from the
 * same address within minutes) gets the first receipt.
 */
export function fileComplaint({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: FileComplaintInput
}): Promise<ComplaintReceipt> {
  return fileOnce(ctx, input, true)
}

async function fileOnce(
  ctx: ServiceContext,
  input: FileComplaintInput,
  mayRetry: boolean,
): Promise<ComplaintReceipt> {
  const { fields, photos } = await checkSubmission(ctx, input)
  const idempotency = idempotencyKeyOf(fields, photos, input.idempotencyKey, input.clientAddress)
  // A repeated explicit key is common (a double click, a retry): answer it before counting it.
  // Without a key, a repeat is rare and the claim in the transaction catches it.
  if (idempotency.explicit) {
    const earlier = await replayOf(ctx, idempotency)
    if (earlier) return earlier
  }
  const phoneDigest = fields.phone ? phoneHash(ctx.privacy.hashKey, fields.phone) : undefined
  const limits = abuseLimits(ctx, input, phoneDigest)
  const receivedAt = new Date()
  const parts: Omit<IntakeParts, 'storageKeys'> = {
    privacy: ctx.privacy,
    fields,
    phoneDigest,
    queryCode: newQueryCode(),
    receivedAt,
    deadline: legalDeadline(ctx, fields.kind, receivedAt),
    photos,
    limits,
    idempotency,
  }
  const storageKeys: string[] = []
  try {
    await storePhotos(ctx, photos, receivedAt, storageKeys)
    const { receipt, outcome } = await fileUnderFreeNumber(ctx, { ...parts, storageKeys })
    if (outcome.filed) return receipt
    // The same submission was filed first (a double click, a retry): answer with that one.
    if ('duplicate' in outcome) throw new AlreadyFiled()
    const refusedBy = limits.find((l) => l.bucket === outcome.refusedBy)
    throw refusedBy ? refusalOf(refusedBy, receivedAt.getTime()) : new Error('limit refused')
  } catch (error) {
    const again = await afterFailure(ctx, error, storageKeys, idempotency, mayRetry)
    if (again === 'file again') return fileOnce(ctx, input, false)
    return again
  }
}

/** At most so many complaints an hour from one network (or app) and from one phone number. */
function abuseLimits(
  ctx: ServiceContext,
  input: Pick<FileComplaintInput, 'clientAddress' | 'app'>,
  phoneDigest: Buffer | undefined,
): Limit[] {
  const client = input.app ? undefined : clientKey(ctx.privacy.hashKey, input.clientAddress)
  return [
    ...(input.app
      ? [
          {
            bucket: `complaint:app:${input.app.id}`,
            max: input.app.maxPerHour,
            windowSeconds: 3600,
            message: '这个接入应用在一小时内提交的投诉举报已达上限。',
          },
        ]
      : []),
    ...(client
      ? [
          {
            bucket: `complaint:addr:${client}`,
            max: ctx.config.COMPLAINT_LIMIT_PER_ADDRESS,
            windowSeconds: 3600,
            message: '同一网络在一小时内提交的投诉举报过多。',
          },
        ]
      : []),
    ...(phoneDigest
      ? [
          {
            bucket: `complaint:phone:${phoneDigest.toString('hex')}`,
            max: ctx.config.COMPLAINT_LIMIT_PER_PHONE,
            windowSeconds: 3600,
            message: '同一电话号码在一小时内提交的投诉举报过多。',
          },
        ]
      : []),
  ]
}

function legalDeadline(ctx: ServiceContext, kind: ComplaintKind, receivedAt: Date) {
  const deadline = deadlineFor(ctx.calendar, receivedAt, legalDeadlineDays[kind])
  if (deadline.coverage !== 'official') {
    ctx.logger.warn(
      { coverage: deadline.coverage, dueDate: deadline.dueDate },
      'deadline computed without an official holiday schedule: update content/holidays',
    )
  }
  return deadline
}

/**
 * Photos are written (and synced) before the transaction, so a committed complaint never points
 * at a missing file; a rollback removes them again. Each key is noted as soon as it is written,
 * so a failure part way removes the ones written so far.
 */
async function storePhotos(
  ctx: ServiceContext,
  photos: readonly AcceptedPhoto[],
  receivedAt: Date,
  storageKeys: string[],
) {
  const folder = photoFolderOf(receivedAt)
  for (const [i, photo] of photos.entries()) {
    const storageKey = `${folder}/${randomBytes(12).toString('hex')}-${i + 1}`
    await ctx.photos.put(storageKey, photo.bytes, photo.contentType)
    storageKeys.push(storageKey)
  }
}

/**
 * Files the intake under a random tracking number, drawing a new one while the drawn number is
 * taken. A draw is taken with a chance of that day's complaints in 100 million (codes.ts).
 */
async function fileUnderFreeNumber(
  ctx: ServiceContext,
  parts: IntakeParts,
): Promise<{
  receipt: ComplaintReceipt
  outcome: Exclude<IntakeOutcome, { trackingNoTaken: true }>
}> {
  const draw = () => draftIntake(newTrackingNo(beijingDate(parts.receivedAt)), parts)
  let drawn = draw()
  let outcome = await fileThroughBatcher(ctx.db, drawn.intake)
  for (let draws = 1; 'trackingNoTaken' in outcome; draws++) {
    if (draws === maxTrackingNoDraws) throw new Error('no free tracking number after 5 draws')
    drawn = draw()
    outcome = await fileThroughBatcher(ctx.db, drawn.intake)
  }
  return { receipt: drawn.receipt, outcome }
}

/**
 * After filing failed: the photos go unless the complaint may be stored; a submission filed first
 * answers with its receipt; an expired record holding the key is freed for one more try. Anything
 * else is thrown again.
 */
async function afterFailure(
  ctx: ServiceContext,
  error: unknown,
  storageKeys: readonly string[],
  idempotency: IdempotencyKey,
  mayRetry: boolean,
): Promise<ComplaintReceipt | 'file again'> {
  if (mayHaveCommitted(error)) {
    // The connection was lost with the complaint on its way: it may be stored and point at
    // these photos, so they stay (a retry with the same key answers with that complaint).
    ctx.logger.warn(
      { photos: storageKeys.length },
      'complaint outcome unknown (database connection lost); its photos are kept',
    )
    throw error
  }
  await Promise.allSettled(storageKeys.map((k) => ctx.photos.delete(k)))
  if (error instanceof AlreadyFiled) {
    const first = await replayOf(ctx, idempotency)
    if (first) return first
    // An expired record held the key: free it and file once more.
    if (mayRetry) {
      await forgetExpiredKey(ctx, idempotency)
      return 'file again'
    }
  }
  throw error
}
