import os from 'node:os'

/**
 * The nice value of background work: indexing, applying 12345 events, delivering callbacks,
 * rebuilding the site. Requests run at 0, so when the CPU is short (one machine with PostgreSQL
 * and Meilisearch, a burst of complaints) answering residents and the hotline goes first and the
 * background catches up after (bench/intake.ts, bench/hotline.ts). Idle CPU is still all its own.
 */
export const backgroundNice = 10

/**
 * Gives a process or, on Linux, one thread (by its id) the background priority. Raising a nice
 * value needs no privilege; when it fails anyway, the work runs at normal priority.
 */
export function lowerPriority(id: number): void {
  try {
    os.setPriority(id, backgroundNice)
  } catch {
    // Gone already, or not permitted here.
  }
}

/**
 * Gives the calling thread the background priority. Linux keeps a nice value per thread, so the
 * rest of the process keeps its own; elsewhere the call would lower the whole process, so nothing
 * changes there.
 */
export function lowerThisThreadPriority(): void {
  if (process.platform === 'linux') lowerPriority(0)
}
