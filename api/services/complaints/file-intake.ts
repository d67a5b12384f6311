import type { AtomicIntake } from '../../../db/queries/complaints.ts'
import type { AcceptedPhoto } from '../../photos/accept.ts'
import { contactAad, encryptField } from '../../privacy/pii.ts'
import type { Privacy } from '../../deps.ts'
import { currentWindows, type Limit } from '../limits/rate-limit.ts'
import { queryCodeHash } from './codes.ts'
import { answerAad, type IdempotencyKey } from './file-idempotency.ts'
import { deadlineLabels, kindLabels } from '../../domain/complaints.ts'
import { newReceipt, type ComplaintReceipt } from './receipt.ts'
import { wantsSmsUpdates, type ComplaintInput } from './schemas.ts'
import { shortfallAmount } from './shortfall.ts'
import type { Deadline } from '../../domain/working-days.ts'

/** Everything a complaint's intake is drafted from, except its tracking number. */
export interface IntakeParts {
  privacy: Privacy
  fields: ComplaintInput
  phoneDigest: Buffer | undefined
  queryCode: string
  receivedAt: Date
  deadline: Deadline
  photos: readonly AcceptedPhoto[]
  /** Where each photo was stored, in the order of `photos`. */
  storageKeys: readonly string[]
  limits: readonly Limit[]
  idempotency: IdempotencyKey
}

/** The resident's name and phone, each sealed to this tracking number and its field. */
function sealContact(privacy: Privacy, fields: ComplaintInput, trackingNo: string) {
  const seal = (value: string, field: 'name' | 'phone') =>
    encryptField(privacy.ring, value, contactAad(trackingNo, field))
  return {
    name: fields.name ? seal(fields.name, 'name') : undefined,
    phone: fields.phone ? seal(fields.phone, 'phone') : undefined,
  }
}

/** The short-weight evidence, when both quantities were given, with the money it is short. */
function shortfallFigures(fields: ComplaintInput) {
  if (fields.claimedQuantity === undefined || fields.measuredQuantity === undefined) return {}
  return {
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
}

/**
 * The complaint's intake under one tracking number: its row with the personal data sealed, its
 * first timeline entry, its photos, its limit counts and its sealed receipt for the idempotency
 * record. The tracking number is sealed into the contact details and the stored receipt, so a
 * number that turns out to be taken means drafting the intake again under a new one.
 */
export function draftIntake(
  trackingNo: string,
  parts: IntakeParts,
): { receipt: ComplaintReceipt; intake: AtomicIntake } {
  const { privacy, fields, deadline, idempotency } = parts
  const contact = sealContact(privacy, fields, trackingNo)
  const receipt = newReceipt(trackingNo, parts.queryCode, deadline)
  const answer = encryptField(privacy.ring, JSON.stringify(receipt), answerAad(idempotency))
  const intake: AtomicIntake = {
    row: {
      trackingNo,
      queryCodeHash: queryCodeHash(privacy.hashKey, trackingNo, parts.queryCode),
      kind: fields.kind,
      category: fields.category,
      countyCode: fields.county,
      merchantName: fields.merchantName,
      merchantUscc: fields.merchantUscc ?? null,
      enterpriseUscc: null,
      address: fields.address,
      occurredAt: fields.occurredAt,
      description: fields.description,
      piiKeyId: contact.name?.keyId ?? contact.phone?.keyId ?? null,
      nameSealed: contact.name?.sealed ?? null,
      phoneSealed: contact.phone?.sealed ?? null,
      phoneHash: parts.phoneDigest ?? null,
      smsUpdates: wantsSmsUpdates(fields),
      ...shortfallFigures(fields),
      receivedAt: parts.receivedAt,
      dueAt: deadline.dueAt,
    },
    merchantUscc: fields.merchantUscc ?? null,
    event: {
      kind: 'received',
      actor: 'citizen',
      note: `已收到您的${kindLabels[fields.kind]}。我们将在 ${deadline.dueDate} 前${deadlineLabels[fields.kind]}。`,
    },
    photos: parts.photos.map((p, i) => ({
      position: i + 1,
      storageKey: parts.storageKeys[i]!,
      contentType: p.contentType,
      sizeBytes: p.size,
      sha256: p.sha256,
      originalName: p.originalName,
    })),
    limits: currentWindows(parts.limits, parts.receivedAt.getTime()),
    idempotency: {
      scope: idempotency.scope,
      key: idempotency.key,
      requestHash: idempotency.requestHash,
      piiKeyId: answer.keyId,
      responseSealed: answer.sealed,
    },
  }
  return { receipt, intake }
}
