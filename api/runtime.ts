import { sql } from 'kysely'
import { createDb } from '../db/client.ts'
import { loadConfig, type Config } from './config.ts'
import type { Deps } from './deps.ts'
import { createLogger } from './logger.ts'
import { createSearchClient } from './search/client.ts'

/**
 * The process-wide dependencies. The start script builds them once (after starting embedded
 * services) and installs them here; the Astro bundle, which has its own copy of every module,
 * finds them through a global symbol. Without an installed runtime (e.g. `astro build` run by
 * hand) they are built from the environment.
 */
const key: unique symbol = Symbol.for('lishui-metrology.runtime')
type Holder = { [key]?: Deps | undefined }

export function installRuntime(deps: Deps) {
  ;(globalThis as Holder)[key] = deps
}

export function uninstallRuntime() {
  Reflect.deleteProperty(globalThis, key)
}

export function depsFromConfig(config: Config): Deps {
  if (!config.DATABASE_URL || !config.MEILI_URL) {
    throw new Error(
      'DATABASE_URL 和 MEILI_URL 未设置：请用 `npm start`（会启动内置服务）或设置这两个变量。',
    )
  }
  const logger = createLogger(config.LOG_LEVEL)
  return {
    config,
    logger,
    db: createDb({ connectionString: config.DATABASE_URL, max: config.DATABASE_POOL_SIZE }),
    search: createSearchClient({
      url: config.MEILI_URL,
      apiKey: config.MEILI_MASTER_KEY,
      prefix: config.MEILI_INDEX_PREFIX,
    }),
  }
}

export function getRuntime(): Deps {
  const holder = globalThis as Holder
  const installed = holder[key]
  if (installed) return installed
  const deps = depsFromConfig(loadConfig())
  holder[key] = deps
  return deps
}

/** True when the database answers; pages built without one say so instead of failing opaquely. */
export async function databaseAnswers(deps: Deps): Promise<boolean> {
  try {
    await sql`SELECT 1`.execute(deps.db)
    return true
  } catch {
    return false
  }
}
