import { readFileSync } from 'node:fs'
import os from 'node:os'
import type { DbOptions } from '../../db/client.ts'
import { backendPidOf } from '../../db/queries/health.ts'

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

/** The `application_name` of background work's database connections. */
export const backgroundApplicationName = 'lishui-metrology-background'

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]'])

/**
 * For a pool of background work: gives each of its connections' server processes the background
 * priority too, so the queries of indexing and early warning yield to those of requests as the
 * thread itself does. Only for PostgreSQL on this machine (a loopback address, Linux): the process
 * id the server reports names a local process only then, and it is checked to be a PostgreSQL one
 * before it is touched. Elsewhere, or without permission, the queries run at normal priority.
 */
export function lowerServerProcessPriority(databaseUrl: string): DbOptions['onConnect'] {
  if (process.platform !== 'linux' || !loopbackHosts.has(new URL(databaseUrl).hostname)) {
    return undefined
  }
  return (client) => {
    backendPidOf(client)
      .then((pid) => {
        if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') lowerPriority(pid)
      })
      // The connection failed or went away, or /proc could not be read: nothing to lower, and
      // nothing to end the thread over.
      .catch(() => undefined)
  }
}
