import type { Kysely } from 'kysely'
import type { Database } from '../database.ts'

export interface StoredDraft {
  piiKeyId: string
  answersSealed: Buffer
  expiresAt: Date
}

export async function insertDraft(
  db: Kysely<Database>,
  draft: { tokenHash: Buffer; piiKeyId: string; answersSealed: Buffer; expiresAt: Date },
  now: Date,
): Promise<void> {
  await db
    .insertInto('complaintDrafts')
    .values({ ...draft, createdAt: now, updatedAt: now })
    .execute()
}

/** A draft that has not expired at `now`. */
export function findLiveDraft(
  db: Kysely<Database>,
  tokenHash: Buffer,
  now: Date,
): Promise<StoredDraft | undefined> {
  return db
    .selectFrom('complaintDrafts')
    .select(['piiKeyId', 'answersSealed', 'expiresAt'])
    .where('tokenHash', '=', tokenHash)
    .where('expiresAt', '>', now)
    .executeTakeFirst()
}

/** Replaces a live draft's answers; false when it has expired or never was. */
export async function updateDraftAnswers(
  db: Kysely<Database>,
  tokenHash: Buffer,
  sealed: { piiKeyId: string; answersSealed: Buffer },
  now: Date,
): Promise<boolean> {
  const result = await db
    .updateTable('complaintDrafts')
    .set({ ...sealed, updatedAt: now })
    .where('tokenHash', '=', tokenHash)
    .where('expiresAt', '>', now)
    .executeTakeFirst()
  return result.numUpdatedRows > 0n
}

export async function insertDraftPhoto(
  db: Kysely<Database>,
  tokenHash: Buffer,
  storageKey: string,
): Promise<void> {
  await db
    .insertInto('complaintDraftPhotos')
    .values({ draftTokenHash: tokenHash, storageKey })
    .execute()
}

export async function deleteDraftPhoto(
  db: Kysely<Database>,
  tokenHash: Buffer,
  storageKey: string,
): Promise<boolean> {
  const result = await db
    .deleteFrom('complaintDraftPhotos')
    .where('draftTokenHash', '=', tokenHash)
    .where('storageKey', '=', storageKey)
    .executeTakeFirst()
  return result.numDeletedRows > 0n
}

/**
 * Deletes up to `limit` drafts expired at `now`, their photo rows with them (ON DELETE CASCADE),
 * and returns the storage keys of those photos, for their files to be removed.
 */
export async function deleteExpiredDrafts(
  db: Kysely<Database>,
  now: Date,
  limit: number,
): Promise<{ drafts: number; photoKeys: string[] }> {
  return db.transaction().execute(async (trx) => {
    const expired = await trx
      .selectFrom('complaintDrafts')
      .select('tokenHash')
      .where('expiresAt', '<=', now)
      .orderBy('expiresAt')
      .limit(limit)
      .forUpdate()
      .skipLocked()
      .execute()
    if (expired.length === 0) return { drafts: 0, photoKeys: [] }
    const hashes = expired.map((d) => d.tokenHash)
    const photos = await trx
      .selectFrom('complaintDraftPhotos')
      .select('storageKey')
      .where('draftTokenHash', 'in', hashes)
      .execute()
    await trx.deleteFrom('complaintDrafts').where('tokenHash', 'in', hashes).execute()
    return { drafts: expired.length, photoKeys: photos.map((p) => p.storageKey) }
  })
}

/** Which of `keys` a draft still refers to. */
export async function referencedDraftPhotoKeys(
  db: Kysely<Database>,
  keys: readonly string[],
): Promise<Set<string>> {
  if (keys.length === 0) return new Set()
  const rows = await db
    .selectFrom('complaintDraftPhotos')
    .select('storageKey')
    .where('storageKey', 'in', keys)
    .execute()
  return new Set(rows.map((r) => r.storageKey))
}
