import path from 'node:path'
import { sql } from 'kysely'
import { createDb } from '../db/client.ts'
import { loadConfig, type Config } from './config.ts'
import type { Deps, Privacy } from './deps.ts'
import { createLogger, type Logger } from './logger.ts'
import { createFolderStorage } from './photos/storage.ts'
import { loadOrCreateDevPiiSecrets } from './privacy/dev-keys.ts'
import { parseHashKey, parsePiiKeys } from './privacy/pii.ts'
import { createSearchClient } from './search/client.ts'
import { loadCalendar } from './services/complaints/working-days.ts'
import { hotlineKeysFromConfig } from './hotline/keys.ts'

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

/**
 * The keys for personal data: from PII_KEYS and PII_HASH_KEY, or, outside production (where the
 * config refuses to start without them), a pair generated once under DATA_DIR/secrets.
 */
export function privacyFromConfig(config: Config, logger?: Logger): Privacy {
  let { PII_KEYS: keys, PII_HASH_KEY: hashKey } = config
  if (!keys || !hashKey) {
    const dev = loadOrCreateDevPiiSecrets(config.DATA_DIR)
    if (dev.created) {
      logger?.warn(
        { dir: path.join(config.DATA_DIR, 'secrets') },
        'generated development keys for personal data; set PII_KEYS and PII_HASH_KEY in production',
      )
    }
    keys ??= dev.piiKeys
    hashKey ??= dev.hashKey
  }
  return { ring: parsePiiKeys(keys), hashKey: parseHashKey(hashKey) }
}

/** Everything but the connections: keys, photo storage and the holiday calendar. */
export function completeDeps(config: Config, base: Pick<Deps, 'db' | 'search' | 'logger'>): Deps {
  return {
    ...base,
    config,
    privacy: privacyFromConfig(config, base.logger),
    photos: createFolderStorage(config.PHOTO_DIR ?? path.join(config.DATA_DIR, 'photos')),
    calendar: loadCalendar(),
    hotline: hotlineKeysFromConfig(config, (dev) =>
      base.logger.warn(
        { file: dev.file },
        'generated development secrets for the 12345 hotline; set HOTLINE_WEBHOOK_SECRET and HOTLINE_CALLBACK_SECRET in production',
      ),
    ),
  }
}

export function depsFromConfig(config: Config): Deps {
  if (!config.DATABASE_URL || !config.MEILI_URL) {
    throw new Error(
      'DATABASE_URL 和 MEILI_URL 未设置：请用 `npm start`（会启动内置服务）或设置这两个变量。',
    )
  }
  return completeDeps(config, {
    logger: createLogger(config.LOG_LEVEL),
    db: createDb({ connectionString: config.DATABASE_URL, max: config.DATABASE_POOL_SIZE }),
    search: createSearchClient({
      url: config.MEILI_URL,
      apiKey: config.MEILI_MASTER_KEY,
      prefix: config.MEILI_INDEX_PREFIX,
    }),
  })
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
