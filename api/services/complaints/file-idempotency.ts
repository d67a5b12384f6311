import { createHash } from 'node:crypto'
import { deleteIdempotencyKeyBefore, findIdempotentAnswer } from '../../../db/queries/complaints.ts'
import type { AcceptedPhoto } from '../../photos/accept.ts'
import { decryptField } from '../../privacy/pii.ts'
import type { ServiceContext } from '../../deps.ts'
import { ApiError } from '../../errors.ts'
import type { ComplaintReceipt } from './receipt.ts'
import type { ComplaintInput } from './schemas.ts'

/** An explicit key is honoured for a day; without one, the same content from the same address for ten minutes. */
const explicitKeyTtlMs = 24 * 3600_000
const implicitKeyTtlMs = 10 * 60_000

/** Under which key a submission's first answer is kept, and what makes a repeat "the same". */
export interface IdempotencyKey {
  /** The sender gave a key (the `Idempotency-Key` header or the form's hidden token). */
  explicit: boolean
  scope: 'complaint' | 'complaint-implicit'
  key: string
  ttlMs: number
  requestHash: Buffer
}

/** What makes two submissions "the same": every field and every photo's content. */
function requestHash(input: ComplaintInput, photos: readonly AcceptedPhoto[]) {
  return createHash('sha256')
    .update(JSON.stringify({ ...input, website: undefined }))
    .update(photos.map((p) => p.sha256).join(','))
    .digest()
}

export function idempotencyKeyOf(
  fields: ComplaintInput,
  photos: readonly AcceptedPhoto[],
  given: string | undefined,
  clientAddress: string,
): IdempotencyKey {
  const hash = requestHash(fields, photos)
  const explicit = given?.trim()
  // The table keeps keys of 8 to 200 characters: any other key would fail at the insert (a 500).
  if (explicit && (explicit.length < 8 || explicit.length > 200)) {
    const message = 'Idempotency-Key 应为 8 到 200 个字符，建议每份投诉用一个新的 UUID。'
    throw new ApiError('VALIDATION_FAILED', message, [{ field: 'Idempotency-Key', message }])
  }
  return {
    explicit: Boolean(explicit),
    scope: explicit ? 'complaint' : 'complaint-implicit',
    key: explicit ?? createHash('sha256').update(clientAddress).update(hash).digest('hex'),
    ttlMs: explicit ? explicitKeyTtlMs : implicitKeyTtlMs,
    requestHash: hash,
  }
}

/** The stored answer is sealed to its key, so it cannot be moved to another. */
export const answerAad = (k: IdempotencyKey) => `idempotency:${k.scope}:${k.key}`

/**
 * The first answer given under this key while it lasts, marked as replayed; a key used for other
 * content is a 409.
 */
export async function replayOf(
  ctx: ServiceContext,
  k: IdempotencyKey,
): Promise<ComplaintReceipt | undefined> {
  const stored = await findIdempotentAnswer(ctx.db, k.scope, k.key, new Date(Date.now() - k.ttlMs))
  if (!stored) return undefined
  if (!stored.requestHash.equals(k.requestHash)) {
    throw new ApiError(
      'CONFLICT',
      '这个提交标识已用于另一份内容不同的投诉举报。请刷新页面后重新填写提交。',
    )
  }
  const answer = decryptField(
    ctx.privacy.ring,
    stored.piiKeyId,
    stored.responseSealed,
    answerAad(k),
  )
  return { ...(JSON.parse(answer) as ComplaintReceipt), replayed: true }
}

/** Frees a key whose record has expired, so the submission can be filed once more. */
export function forgetExpiredKey(ctx: ServiceContext, k: IdempotencyKey) {
  return deleteIdempotencyKeyBefore(ctx.db, k.scope, k.key, new Date(Date.now() - k.ttlMs))
}
