import { execFile } from 'node:child_process'
import { readFileSync, readlinkSync } from 'node:fs'
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
 * Has Linux run a thread or process (by its id) only on CPU time nothing else wants: the
 * SCHED_IDLE policy, through util-linux's `chrt`. At nice 10 early warning still cost intake's
 * p99 at 500 complaints a second ×1.45 on two cores, a woken request waiting for a lowered
 * process's turn; with SCHED_IDLE the ratio is within the noise and the backlog still drains in
 * about a second after each round (bench/README.md, intake-warnings). Linux still gives it short
 * turns on busy cores, so a row a background transaction holds is let go within tens of ms even
 * with every core busy (test/integration/background-priority-waits.test.ts). Choosing SCHED_IDLE
 * needs no privilege for one's own processes; without `chrt` or permission, nice 10 stays.
 */
function runOnlyWhenIdle(id: number): Promise<void> {
  return new Promise((resolve) => {
    // A failure (no chrt, no permission, the process gone) leaves the nice value as it was.
    execFile('chrt', ['--idle', '--pid', '0', String(id)], { timeout: 10_000 }, () => resolve())
  })
}

/**
 * Gives the calling thread the background priority and, on Linux, the idle policy. Linux keeps
 * both per thread, so the rest of the process keeps its own; elsewhere the call would lower the
 * whole process, so nothing changes there.
 */
export function lowerThisThreadPriority(): void {
  if (process.platform !== 'linux') return
  lowerPriority(0)
  let tid: number
  try {
    // "<pid>/task/<tid>": read on the calling thread itself (a synchronous call).
    tid = Number(readlinkSync('/proc/thread-self').split('/').at(-1))
  } catch {
    return
  }
  if (Number.isInteger(tid) && tid > 0) void runOnlyWhenIdle(tid)
}

/** The `application_name` of background work's database connections. */
export const backgroundApplicationName = 'lishui-metrology-background'

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]'])

/**
 * For a pool of background work: gives each of its connections' server processes the background
 * priority and the idle policy too, so the queries of indexing and early warning yield to those
 * of requests as the thread itself does. Only for PostgreSQL on this machine (a loopback address,
 * Linux): the process id the server reports names a local process only then, and it is checked to
 * be a PostgreSQL one before it is touched. Elsewhere, or without permission, the queries run at
 * normal priority.
 */
export function lowerServerProcessPriority(databaseUrl: string): DbOptions['onConnect'] {
  if (process.platform !== 'linux' || !loopbackHosts.has(new URL(databaseUrl).hostname)) {
    return undefined
  }
  return (client) => {
    backendPidOf(client)
      .then((pid) => {
        if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') return
        lowerPriority(pid)
        return runOnlyWhenIdle(pid)
      })
      // The connection failed or went away, or /proc could not be read: nothing to lower, and
      // nothing to end the thread over.
      .catch(() => undefined)
  }
}
