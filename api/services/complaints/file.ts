import { createHash, randomBytes } from 'node:crypto'
import {
  deleteIdempotencyKeyBefore,
  findIdempotentAnswer,
  type AtomicIntake,
} from '../../../db/queries/complaints.ts'
import type { ComplaintStatus } from '../../../db/database.ts'
import { mayHaveCommitted } from '../../../db/errors.ts'
import { acceptPhotos, type AcceptedPhoto } from '../../photos/accept.ts'
import { PhotoRejected } from '../../photos/errors.ts'
import { contactAad, decryptField, encryptField, phoneHash } from '../../privacy/pii.ts'
import type { ServiceContext } from '../../deps.ts'
import { ApiError } from '../../errors.ts'
import { beijingDate, beijingIsoMs } from '../../domain/beijing-time.ts'
import { issueDetails } from '../../validation.ts'
import { clientKey } from '../limits/client-key.ts'
import { currentWindows, refusalOf, type Limit } from '../limits/rate-limit.ts'
import { newQueryCode, newTrackingNo, queryCodeHash } from './codes.ts'
import { fileThroughBatcher } from './intake-batcher.ts'
import { photoFolderOf } from './orphan-photos.ts'
import { knownCounty } from './counties.ts'
import { deadlineLabels, kindLabels } from '../../domain/complaints.ts'
import { complaintInputSchema, contactRequired, type ComplaintInput } from './schemas.ts'
import { shortfallAmount } from './shortfall.ts'
import { deadlineFor, legalDeadlineDays } from '../../domain/working-days.ts'

export interface FileComplaintInput {
  /** The fields, already typed (JSON) or converted with `formFieldsToInput` (forms). */
  fields: unknown
  photos: { name: string; declaredType: string; bytes: Uint8Array }[]
  /** From the `Idempotency-Key` header or the form's hidden token. */
  idempotencyKey?: string | undefined
  clientAddress: string
}

export interface ComplaintReceipt {
  trackingNo: string
  queryCode: string
  status: ComplaintStatus
  /** ISO 8601 in China Standard Time: the end of the last working day. */
  dueAt: string
  /** Shanghai calendar date of `dueAt`, for people. */
  dueDate: string
  /** True when this answers a repeated submission with the first one's result. */
  replayed: boolean
}

/** An explicit key is honoured for a day; without one, the same content from the same address for ten minutes. */
const explicitKeyTtlMs = 24 * 3600_000
const implicitKeyTtlMs = 10 * 60_000

class AlreadyFiled extends Error {}

/** How many random tracking numbers a complaint may draw before filing gives up. */
const maxTrackingNoDraws = 5

function validate(fields: unknown): ComplaintInput {
  const parsed = complaintInputSchema.safeParse(fields)
  if (!parsed.success) {
    const found = [...issueDetails(parsed.error), ...contactIssues(fields)]
    const details = found.filter(
      (d, i) => found.findIndex((o) => o.field === d.field && o.message === d.message) === i,
    )
    details.sort((a, b) => fieldOrder(a.field) - fieldOrder(b.field))
    throw new ApiError(
      'VALIDATION_FAILED',
      `有 ${details.length} 处需要修改：${[...new Set(details.map((d) => d.message))].join(' ')}`,
      details,
    )
  }
  if (parsed.data.website) {
    // A honeypot filled in: refuse openly, so a person whose browser filled it is not lost.
    throw new ApiError(
      'VALIDATION_FAILED',
      '提交未通过自动程序检查：请清空隐藏的“网址”一栏后重试。',
      [{ field: 'website', message: '此栏应留空。' }],
    )
  }
  return parsed.data
}

const fieldNames = Object.keys(complaintInputSchema.shape)
const fieldOrder = (field: string) => {
  const i = fieldNames.indexOf(field)
  return i < 0 ? fieldNames.length : i
}

/**
 * zod runs the schema's cross-field checks only once every field is valid. So that a resident sees
 * every problem at once, the missing contact details of a 投诉 are added to the other errors here.
 */
function contactIssues(fields: unknown) {
  if (typeof fields !== 'object' || fields === null) return []
  const raw = fields as Record<string, unknown>
  if (raw.kind !== 'complaint') return []
  const blank = (v: unknown) => typeof v !== 'string' || v.trim() === ''
  return (['name', 'phone'] as const)
    .filter((field) => blank(raw[field]))
    .map((field) => ({ field, message: contactRequired(field) }))
}

function photoError(error: PhotoRejected) {
  return new ApiError('VALIDATION_FAILED', error.message, [
    { field: 'photos', message: error.message },
  ])
}

/** What makes two submissions "the same": every field and every photo's content. */
function requestHash(input: ComplaintInput, photos: readonly AcceptedPhoto[]) {
  return createHash('sha256')
    .update(JSON.stringify({ ...input, website: undefined }))
    .update(photos.map((p) => p.sha256).join(','))
    .digest()
}

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
  const fields = validate(input.fields)
  if (!(await knownCounty(ctx.db, fields.county))) {
    throw new ApiError('VALIDATION_FAILED', '请选择事发区县。', [
      { field: 'county', message: '请从列表中选择丽水市的区县。' },
    ])
  }
  let photos: AcceptedPhoto[]
  try {
    photos = acceptPhotos(input.photos)
  } catch (error) {
    if (error instanceof PhotoRejected) throw photoError(error)
    throw error
  }

  const { privacy } = ctx
  const hash = requestHash(fields, photos)
  const explicit = input.idempotencyKey?.trim()
  const scope = explicit ? 'complaint' : 'complaint-implicit'
  const key =
    explicit ?? createHash('sha256').update(input.clientAddress).update(hash).digest('hex')
  const ttl = explicit ? explicitKeyTtlMs : implicitKeyTtlMs
  const replay = async () => {
    const stored = await findIdempotentAnswer(ctx.db, scope, key, new Date(Date.now() - ttl))
    if (!stored) return undefined
    if (!stored.requestHash.equals(hash)) {
      throw new ApiError(
        'CONFLICT',
        '这个提交标识已用于另一份内容不同的投诉举报。请刷新页面后重新填写提交。',
      )
    }
    const answer = decryptField(
      privacy.ring,
      stored.piiKeyId,
      stored.responseSealed,
      `idempotency:${scope}:${key}`,
    )
    return { ...(JSON.parse(answer) as ComplaintReceipt), replayed: true }
  }
  // A repeated explicit key is common (a double click, a retry): answer it before counting it.
  // Without a key, a repeat is rare and the claim in the transaction catches it.
  if (explicit) {
    const earlier = await replay()
    if (earlier) return earlier
  }

  const phone = fields.phone
  const phoneDigest = phone ? phoneHash(privacy.hashKey, phone) : undefined
  const client = clientKey(privacy.hashKey, input.clientAddress)
  const limits: Limit[] = [
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

  const receivedAt = new Date()
  const deadline = deadlineFor(ctx.calendar, receivedAt, legalDeadlineDays[fields.kind])
  if (deadline.coverage !== 'official') {
    ctx.logger.warn(
      { coverage: deadline.coverage, dueDate: deadline.dueDate },
      'deadline computed without an official holiday schedule: update content/holidays',
    )
  }
  const queryCode = newQueryCode()
  const storedKeys: string[] = []
  const folder = photoFolderOf(receivedAt)
  try {
    // Photos are written (and synced) before the transaction, so a committed complaint never
    // points at a missing file; a rollback removes them again below.
    for (const [i, photo] of photos.entries()) {
      const storageKey = `${folder}/${randomBytes(12).toString('hex')}-${i + 1}`
      await ctx.photos.put(storageKey, photo.bytes, photo.contentType)
      storedKeys.push(storageKey)
    }
    // The tracking number is sealed into the contact details and the stored receipt, so a number
    // that turns out to be taken means drafting the intake again under a new one.
    const draft = (trackingNo: string) => {
      const seal = (value: string, field: 'name' | 'phone') =>
        encryptField(privacy.ring, value, contactAad(trackingNo, field))
      const name = fields.name ? seal(fields.name, 'name') : undefined
      const sealedPhone = phone ? seal(phone, 'phone') : undefined
      const figures =
        fields.claimedQuantity !== undefined && fields.measuredQuantity !== undefined
          ? {
              claimedQuantity: fields.claimedQuantity,
              measuredQuantity: fields.measuredQuantity,
              unit: fields.unit ?? null,
              unitPrice: fields.unitPrice ?? null,
              shortfallAmount:
                fields.unitPrice === undefined
                  ? null
                  : shortfallAmount({
                      claimedQuantity: fields.claimedQuantity,
                      measuredQuantity: fields.measuredQuantity,
                      unitPrice: fields.unitPrice,
                    }),
            }
          : {}
      const receipt: ComplaintReceipt = {
        trackingNo,
        queryCode,
        status: 'received',
        dueAt: beijingIsoMs(deadline.dueAt),
        dueDate: deadline.dueDate,
        replayed: false,
      }
      const answer = encryptField(
        privacy.ring,
        JSON.stringify(receipt),
        `idempotency:${scope}:${key}`,
      )
      const intake: AtomicIntake = {
        row: {
          trackingNo,
          queryCodeHash: queryCodeHash(privacy.hashKey, trackingNo, queryCode),
          kind: fields.kind,
          category: fields.category,
          countyCode: fields.county,
          merchantName: fields.merchantName,
          merchantUscc: fields.merchantUscc ?? null,
          enterpriseUscc: null,
          address: fields.address,
          occurredAt: fields.occurredAt,
          description: fields.description,
          piiKeyId: name?.keyId ?? sealedPhone?.keyId ?? null,
          nameSealed: name?.sealed ?? null,
          phoneSealed: sealedPhone?.sealed ?? null,
          phoneHash: phoneDigest ?? null,
          ...figures,
          receivedAt,
          dueAt: deadline.dueAt,
        },
        merchantUscc: fields.merchantUscc ?? null,
        event: {
          kind: 'received',
          actor: 'citizen',
          note: `已收到您的${kindLabels[fields.kind]}。我们将在 ${deadline.dueDate} 前${deadlineLabels[fields.kind]}。`,
        },
        photos: photos.map((p, i) => ({
          position: i + 1,
          storageKey: storedKeys[i]!,
          contentType: p.contentType,
          sizeBytes: p.size,
          sha256: p.sha256,
          originalName: p.originalName,
        })),
        limits: currentWindows(limits, receivedAt.getTime()),
        idempotency: {
          scope,
          key,
          requestHash: hash,
          piiKeyId: answer.keyId,
          responseSealed: answer.sealed,
        },
      }
      return { receipt, intake }
    }
    let drawn = draft(newTrackingNo(beijingDate(receivedAt)))
    let outcome = await fileThroughBatcher(ctx.db, drawn.intake)
    // A draw is taken with a chance of that day's complaints in 100 million (codes.ts).
    for (let draws = 1; 'trackingNoTaken' in outcome; draws++) {
      if (draws === maxTrackingNoDraws) throw new Error('no free tracking number after 5 draws')
      drawn = draft(newTrackingNo(beijingDate(receivedAt)))
      outcome = await fileThroughBatcher(ctx.db, drawn.intake)
    }
    const { receipt } = drawn
    if (outcome.filed) return receipt
    // The same submission was filed first (a double click, a retry): answer with that one.
    if ('duplicate' in outcome) throw new AlreadyFiled()
    const refusedBy = limits.find((l) => l.bucket === outcome.refusedBy)
    throw refusedBy ? refusalOf(refusedBy, receivedAt.getTime()) : new Error('limit refused')
  } catch (error) {
    if (mayHaveCommitted(error)) {
      // The connection was lost with the complaint on its way: it may be stored and point at
      // these photos, so they stay (a retry with the same key answers with that complaint).
      ctx.logger.warn(
        { photos: storedKeys.length },
        'complaint outcome unknown (database connection lost); its photos are kept',
      )
      throw error
    }
    await Promise.allSettled(storedKeys.map((k) => ctx.photos.delete(k)))
    if (error instanceof AlreadyFiled) {
      const first = await replay()
      if (first) return first
      // An expired record held the key: free it and file once more.
      if (mayRetry) {
        await deleteIdempotencyKeyBefore(ctx.db, scope, key, new Date(Date.now() - ttl))
        return fileOnce(ctx, input, false)
      }
    }
    throw error
  }
}
