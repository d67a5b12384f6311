import { createHash, randomBytes } from 'node:crypto'
import {
  deleteDraftPhoto,
  deleteExpiredDrafts,
  findLiveDraft,
  insertDraft,
  insertDraftPhoto,
  referencedDraftPhotoKeys,
  updateDraftAnswers,
} from '../../../../db/queries/complaint-drafts.ts'
import { runAloneAcrossProcesses } from '../../../../db/queries/sweep-locks.ts'
import type { Deps, ServiceContext } from '../../../deps.ts'
import { beijingDate } from '../../../domain/beijing-time.ts'
import type { AcceptedPhoto } from '../../../photos/accept.ts'
import { decryptField, encryptField } from '../../../privacy/pii.ts'
import type { ComplaintFormValues } from '../submit.ts'

/**
 * A complaint filled in step by step (issue 23) waits here between steps: its answers, the name
 * and phone among them, sealed as one value exactly as a complaint's personal data is sealed, and
 * its pending photos (already stripped of their metadata) in photo storage. A draft lives for
 * `draftLifetimeMs` from its start; the sweep deletes expired drafts and their photos.
 */
export const draftLifetimeMs = 2 * 3600_000

/** A pending photo: where its bytes are, and what the check page calls it. */
export interface DraftPhoto {
  key: string
  name: string
  contentType: string
}

export interface DraftAnswers {
  values: ComplaintFormValues
  photos: DraftPhoto[]
  /** The steps saved at least once (the photo step may be saved with no photo). */
  done: string[]
  /** Set once the draft was filed: submitting again answers with the same receipt. */
  filedTrackingNo?: string
}

export interface Draft extends DraftAnswers {
  expiresAt: Date
}

/** The token is the draft's only key: 32 random bytes, held by the resident's browser alone. */
const tokenPattern = /^[A-Za-z0-9_-]{43}$/

const hashOf = (token: string) => createHash('sha256').update(token, 'utf8').digest()
const aadOf = (tokenHash: Buffer) => `complaint_drafts:${tokenHash.toString('hex')}`

/** Where a draft's pending photos are stored, by the day they were chosen. */
export const draftPhotoFolderOf = (at: Date) =>
  `complaint-drafts/${beijingDate(at).replaceAll('-', '')}`

function seal(ctx: ServiceContext, tokenHash: Buffer, answers: DraftAnswers) {
  const sealed = encryptField(ctx.privacy.ring, JSON.stringify(answers), aadOf(tokenHash))
  return { piiKeyId: sealed.keyId, answersSealed: sealed.sealed }
}

/** Starts an empty draft; returns the token for the resident's browser. */
export async function startDraft(ctx: ServiceContext, now = new Date()): Promise<string> {
  const token = randomBytes(32).toString('base64url')
  const tokenHash = hashOf(token)
  await insertDraft(
    ctx.db,
    {
      tokenHash,
      ...seal(ctx, tokenHash, { values: {}, photos: [], done: [] }),
      expiresAt: new Date(now.getTime() + draftLifetimeMs),
    },
    now,
  )
  return token
}

/** The live draft `token` names, or undefined (no such draft, expired, or not a token at all). */
export async function readDraft(
  ctx: ServiceContext,
  token: string | undefined,
  now = new Date(),
): Promise<Draft | undefined> {
  if (!token || !tokenPattern.test(token)) return undefined
  const tokenHash = hashOf(token)
  const stored = await findLiveDraft(ctx.db, tokenHash, now)
  if (!stored) return undefined
  const json = decryptField(
    ctx.privacy.ring,
    stored.piiKeyId,
    stored.answersSealed,
    aadOf(tokenHash),
  )
  return { ...(JSON.parse(json) as DraftAnswers), expiresAt: stored.expiresAt }
}

/** Replaces a live draft's answers; false if it has expired meanwhile. */
export function saveDraft(
  ctx: ServiceContext,
  token: string,
  answers: DraftAnswers,
  now = new Date(),
): Promise<boolean> {
  const tokenHash = hashOf(token)
  return updateDraftAnswers(ctx.db, tokenHash, seal(ctx, tokenHash, answers), now)
}

/**
 * Stores accepted photos as the draft's pending photos. Each row is written before its file, so
 * the sweep that deletes an expired draft's rows also learns every file to delete; a file whose
 * row insert failed is never written.
 */
export async function storeDraftPhotos(
  ctx: ServiceContext,
  token: string,
  photos: readonly AcceptedPhoto[],
  now = new Date(),
): Promise<DraftPhoto[]> {
  const tokenHash = hashOf(token)
  const stored: DraftPhoto[] = []
  for (const photo of photos) {
    const key = `${draftPhotoFolderOf(now)}/${randomBytes(12).toString('hex')}`
    await insertDraftPhoto(ctx.db, tokenHash, key)
    await ctx.photos.put(key, photo.bytes, photo.contentType)
    stored.push({ key, name: photo.originalName, contentType: photo.contentType })
  }
  return stored
}

/** Removes one pending photo of a draft (its row, then its file). */
export async function removeDraftPhoto(ctx: ServiceContext, token: string, key: string) {
  if (await deleteDraftPhoto(ctx.db, hashOf(token), key)) await ctx.photos.delete(key)
}

/** The key a draft's submission is filed under, so a double submit files once. */
export const draftIdempotencyKey = (token: string) => `draft:${hashOf(token).toString('hex')}`

/** Draft photo folders older than this hold only photos of expired drafts (or none). */
const daysScanned = 3

/**
 * Deletes expired drafts and their pending photos, then any draft photo file no draft refers to
 * that is older than a draft may live (left by a crash between the two). Returns the counts.
 * Every replica runs it on the one shared photo store; one at a time (an advisory lock), the
 * others skip it, so each leftover photo is removed once.
 */
export async function sweepExpiredDrafts(
  deps: Pick<Deps, 'db' | 'photos' | 'logger'>,
  now = new Date(),
): Promise<{ drafts: number; photos: number }> {
  const sweep = await runAloneAcrossProcesses(deps.db, 'expired-drafts', () =>
    sweepDrafts(deps, now),
  )
  return sweep.ran ? sweep.result : { drafts: 0, photos: 0 }
}

async function sweepDrafts(deps: Pick<Deps, 'db' | 'photos' | 'logger'>, now: Date) {
  let drafts = 0
  let photos = 0
  for (;;) {
    const batch = await deleteExpiredDrafts(deps.db, now, 500)
    drafts += batch.drafts
    for (const key of batch.photoKeys) {
      await deps.photos.delete(key)
      photos++
    }
    if (batch.drafts < 500) break
  }
  const storedBefore = new Date(now.getTime() - draftLifetimeMs)
  for (let day = 0; day < daysScanned; day++) {
    const folder = draftPhotoFolderOf(new Date(now.getTime() - day * 86_400_000))
    const old = await deps.photos.list(folder, storedBefore)
    const kept = await referencedDraftPhotoKeys(deps.db, old)
    for (const key of old) {
      if (kept.has(key)) continue
      await deps.photos.delete(key)
      photos++
    }
  }
  if (drafts > 0 || photos > 0) {
    deps.logger.info({ drafts, photos }, 'expired complaint drafts removed')
  }
  return { drafts, photos }
}
