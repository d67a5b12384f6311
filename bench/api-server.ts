import { createApp } from '../api/app.ts'
import { loadConfig } from '../api/config.ts'
import { depsFromConfig } from '../api/runtime.ts'
import { serveFetch } from './serve.ts'

/**
 * The product's API alone (the Hono app from `createApp`) on node:http, for the benchmarks: the
 * same app the Astro catch-all hands /api requests to, without a site build. Configured by the
 * environment (DATABASE_URL, MEILI_URL, MEILI_MASTER_KEY, PORT, ...); logs go to stdout as usual.
 */
const config = loadConfig()
const deps = depsFromConfig(config)
const app = createApp(deps)
serveFetch(
  (request, env) => app.fetch(request, env),
  config.PORT,
  () => deps.db.destroy(),
)
