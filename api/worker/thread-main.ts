import { parentPort, workerData } from 'node:worker_threads'
import { depsFromConfig } from '../wiring/deps-from-config.ts'
import type { BackgroundThreadData } from './background-thread.ts'
import { runBackgroundWork } from './index.ts'
import { listenForOpenCases, type OpenCasesListener } from './open-cases-listener.ts'
import {
  backgroundApplicationName,
  lowerServerProcessPriority,
  lowerThisThreadPriority,
} from './priority.ts'

/**
 * Entry of the background thread (background-thread.ts): the outbox work (WORKER_ENABLED) and
 * the count listener (OPEN_CASES_PORT), until told to stop.
 */
lowerThisThreadPriority()
const { config } = workerData as BackgroundThreadData
// Its connections' server processes yield to requests' as the thread does (priority.ts), and
// are told apart from them in pg_stat_activity.
const deps = depsFromConfig(config, {
  applicationName: backgroundApplicationName,
  onConnect: lowerServerProcessPriority(config.DATABASE_URL),
})
const logger = deps.logger.child({ thread: 'background' })
const work = config.WORKER_ENABLED
  ? runBackgroundWork({ deps: { ...deps, logger }, databaseUrl: config.DATABASE_URL })
  : undefined
const port = config.OPEN_CASES_PORT
const listening: Promise<OpenCasesListener | undefined> = port
  ? listenForOpenCases({ ...deps, logger }, { host: config.HOST, port }).then(
      (listener) => {
        logger.info({ port: listener.port }, 'answering the open-case count at idle priority')
        return listener
      },
      (error: unknown) => {
        // nginx sends the count to the web server's own port meanwhile (deploy/nginx).
        logger.error(
          { port, err: { message: (error as Error).message } },
          'could not listen on OPEN_CASES_PORT; the web server still answers the count',
        )
        return undefined
      },
    )
  : Promise.resolve(undefined)

parentPort?.on('message', (message) => {
  if (message !== 'stop') return
  void Promise.all([work?.stop(), listening.then((listener) => listener?.stop())])
    .catch((error: unknown) => logger.warn({ err: String(error) }, 'background work stop failed'))
    .finally(() => deps.db.destroy())
    // Ends this thread only, whatever idle keep-alive sockets remain.
    .finally(() => process.exit(0))
})
