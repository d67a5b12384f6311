import { Worker } from 'node:worker_threads'
import type { Config } from '../config.ts'
import type { Logger } from '../logger.ts'

/** What the background thread is started with: the configuration, services filled in. */
export interface BackgroundThreadData {
  config: Config & { DATABASE_URL: string; MEILI_URL: string }
}

export interface BackgroundWork {
  stop: () => Promise<void>
  /** The running thread, if any (for supervision and tests). */
  thread: () => Worker | undefined
  /** How many times the thread was started again after it died. */
  restarts: () => number
}

const stopTimeoutMs = 15_000
export const backgroundThreadName = 'background'

/**
 * Runs the outbox worker and the hourly sweeps (index.ts `runBackgroundWork`), and the count
 * listener when OPEN_CASES_PORT is set (open-cases-listener.ts), on a worker thread
 * with its own event loop, database pool and Meilisearch client: indexing a burst of complaints
 * then uses the second core instead of delaying intake, and at background priority (priority.ts)
 * it yields to requests when both cores are busy. A thread that dies is started again, with
 * a growing pause; what it was doing stays in the outbox and is picked up again once its lease
 * (20 s, no longer renewed) runs out.
 */
export function startBackgroundWork(options: {
  config: Config
  databaseUrl: string
  meiliUrl: string
  meiliKey?: string | undefined
  logger: Logger
}): BackgroundWork {
  const { logger } = options
  if (!options.config.WORKER_ENABLED && options.config.OPEN_CASES_PORT === undefined) {
    return { stop: () => Promise.resolve(), thread: () => undefined, restarts: () => 0 }
  }
  const data: BackgroundThreadData = {
    config: {
      ...options.config,
      DATABASE_URL: options.databaseUrl,
      MEILI_URL: options.meiliUrl,
      MEILI_MASTER_KEY: options.meiliKey,
      // The worker needs few connections; the web process keeps the pool it was given.
      DATABASE_POOL_SIZE: Math.min(options.config.DATABASE_POOL_SIZE, 3),
    },
  }
  let current: Worker | undefined
  let stopping = false
  let restarts = 0
  let retryTimer: NodeJS.Timeout | undefined

  function start() {
    const worker = new Worker(new URL('./thread-main.ts', import.meta.url), {
      workerData: data,
      // Its name in the thread list (/proc/<pid>/task/<tid>/comm on Linux).
      name: backgroundThreadName,
      // The thread loads TypeScript as the start script does (a test runner may not).
      execArgv: process.execArgv.includes('tsx') ? process.execArgv : ['--import', 'tsx'],
    })
    current = worker
    const startedAt = Date.now()
    worker.once('error', (error: Error) => {
      logger.error(
        { err: { message: error.message, stack: error.stack } },
        'background thread failed',
      )
    })
    worker.once('exit', (code) => {
      if (current === worker) current = undefined
      if (stopping) return
      // Quick deaths in a row wait longer, up to a minute; a thread that ran a while starts over.
      const wait = Date.now() - startedAt > 60_000 ? 1_000 : Math.min(60_000, 1_000 * 2 ** restarts)
      restarts++
      logger.error({ code, restartInMs: wait }, 'background thread exited; starting it again')
      retryTimer = setTimeout(start, wait)
    })
  }
  start()

  return {
    thread: () => current,
    restarts: () => restarts,
    stop: async () => {
      stopping = true
      clearTimeout(retryTimer)
      const worker = current
      if (!worker) return
      const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()))
      worker.postMessage('stop')
      const timer = setTimeout(() => void worker.terminate(), stopTimeoutMs)
      await exited
      clearTimeout(timer)
    },
  }
}
