import { createApp } from '../api/http/app.ts'
import { loadConfig } from '../api/config.ts'
import { depsFromConfig } from '../api/wiring/deps-from-config.ts'
import { watchSessionChanges } from '../api/session-cache.ts'
import { startBackgroundWork } from '../api/worker/background-thread.ts'
import { serveFetch } from './serve.ts'

/**
 * The product's API alone (the Hono app from `createApp`) on node:http, for the benchmarks: the
 * same app the Astro catch-all hands /api requests to, without a site build, and with the outbox
 * worker running on its own thread as `npm start` runs it (unless WORKER_ENABLED=false). Configured
 * by the environment: DATABASE_URL and MEILI_URL (both required), MEILI_MASTER_KEY, PORT and the
 * rest of api/config.ts. Logs go to stdout.
 */
const config = loadConfig()
const base = depsFromConfig(config)
// As `npm start` serves the console: confirmed sessions remembered, changes heard.
const sessions = watchSessionChanges({ databaseUrl: config.DATABASE_URL!, logger: base.logger })
const deps = Object.freeze({ ...base, sessionCache: sessions.cache })
const app = createApp(deps)
const background = startBackgroundWork({
  config,
  databaseUrl: config.DATABASE_URL!,
  meiliUrl: config.MEILI_URL!,
  meiliKey: config.MEILI_MASTER_KEY,
  logger: deps.logger,
})
serveFetch(
  (request, env) => app.fetch(request, env),
  config.PORT,
  async () => {
    await background.stop()
    await sessions.close()
    await deps.db.destroy()
  },
)
