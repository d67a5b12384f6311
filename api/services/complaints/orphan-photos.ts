import { referencedPhotoKeys } from '../../../db/queries/complaints.ts'
import { runAloneAcrossProcesses } from '../../../db/queries/sweep-locks.ts'
import type { Deps } from '../../deps.ts'
import { beijingDate } from '../../domain/beijing-time.ts'

/** Where the photos of complaints received on `at`'s day (China Standard Time) are stored. */
export const photoFolderOf = (at: Date) => `complaints/${beijingDate(at).replaceAll('-', '')}`

/** A photo younger than this may still be waiting for its complaint's commit. */
const graceMs = 3600_000
/** Orphans are made at intake, so only the folders of the last few days are looked through. */
const daysScanned = 7

/**
 * Removes photos that no complaint refers to. Intake stores a complaint's photos before its
 * transaction, so that a committed complaint never points at a missing file; when the transaction
 * then fails the photos are removed at once, but a crash, or a connection lost at commit (the
 * complaint may exist, so its photos are kept), can leave some behind. They are personal data
 * with no case to be kept for, so each sweep removes those older than an hour. Returns how many.
 *
 * Every replica runs the hourly sweep on the one shared store; one sweeps at a time (an advisory
 * lock) and the others skip it, so each orphan is removed once.
 */
export async function removeOrphanPhotos(
  deps: Pick<Deps, 'db' | 'photos' | 'logger'>,
  now = new Date(),
): Promise<number> {
  const sweep = await runAloneAcrossProcesses(deps.db, 'orphan-photos', () =>
    removeOrphans(deps, now),
  )
  return sweep.ran ? sweep.result : 0
}

async function removeOrphans(deps: Pick<Deps, 'db' | 'photos' | 'logger'>, now: Date) {
  let removed = 0
  for (let day = 0; day < daysScanned; day++) {
    const folder = photoFolderOf(new Date(now.getTime() - day * 86_400_000))
    const settled = await deps.photos.list(folder, new Date(now.getTime() - graceMs))
    if (settled.length === 0) continue
    const kept = await referencedPhotoKeys(deps.db, settled)
    for (const key of settled) {
      if (kept.has(key)) continue
      await deps.photos.delete(key)
      removed++
    }
  }
  if (removed > 0) {
    deps.logger.warn({ removed }, 'photos no stored complaint refers to were removed')
  }
  return removed
}
