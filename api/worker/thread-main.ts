import { parentPort, workerData } from 'node:worker_threads'
import { depsFromConfig } from '../wiring/deps-from-config.ts'
import type { BackgroundThreadData } from './background-thread.ts'
import { runBackgroundWork } from './index.ts'
import {
  backgroundApplicationName,
  lowerServerProcessPriority,
  lowerThisThreadPriority,
} from './priority.ts'

/** Entry of the background thread (background-thread.ts): runs until told to stop. */
lowerThisThreadPriority()
const { config } = workerData as BackgroundThreadData
// Its connections' server processes yield to requests' as the thread does (priority.ts), and
// are told apart from them in pg_stat_activity.
const deps = depsFromConfig(config, {
  applicationName: backgroundApplicationName,
  onConnect: lowerServerProcessPriority(config.DATABASE_URL),
})
const logger = deps.logger.child({ thread: 'background' })
const work = runBackgroundWork({ deps: { ...deps, logger }, databaseUrl: config.DATABASE_URL })

parentPort?.on('message', (message) => {
  if (message !== 'stop') return
  void work
    .stop()
    .catch((error: unknown) => logger.warn({ err: String(error) }, 'background work stop failed'))
    .finally(() => deps.db.destroy())
    // Ends this thread only, whatever idle keep-alive sockets remain.
    .finally(() => process.exit(0))
})
