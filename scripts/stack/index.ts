import path from 'node:path'
import { createDb } from '../../db/client.ts'
import { migrateToLatest } from '../../db/migrate.ts'
import type { Config } from '../../api/config.ts'
import type { Deps } from '../../api/deps.ts'
import { createLogger, type Logger } from '../../api/logger.ts'
import { completeDeps } from '../../api/wiring/deps-from-config.ts'
import { checkPiiKeys } from '../../api/privacy/key-check.ts'
import { createSearchClient, ensureIndex, indexKinds } from '../../api/search/client.ts'
import { startEmbeddedMeili, type EmbeddedMeiliHandle } from './meilisearch.ts'
import { ensureAppDatabase } from './app-role.ts'
import { postgresSecretsFile } from './postgres-secrets.ts'
import { reusablePort } from './ports.ts'
import { readServicesFile, writeServicesFile, type EmbeddedServices } from './services-file.ts'
import {
  appDatabase,
  appRole,
  startDataDirPostgres,
  superuser,
  type EmbeddedPostgresHandle,
} from './postgres.ts'

export interface Stack {
  deps: Deps
  /** Connection string actually in use (embedded: the app role's, never the superuser's). */
  databaseUrl: string
  meiliUrl: string
  meiliKey: string | undefined
  embeddedPostgres: EmbeddedPostgresHandle | undefined
  embeddedMeili: EmbeddedMeiliHandle | undefined
  stop: () => Promise<void>
}

/**
 * Starts what the configuration leaves out (embedded PostgreSQL when DATABASE_URL is unset,
 * embedded Meilisearch when MEILI_URL is unset), migrates the schema, ensures the search
 * indexes and checks the personal-data keys against the database (api/privacy/key-check.ts). `stop` undoes all of it, in reverse order.
 */
export async function bootStack(
  config: Config,
  logger?: Logger,
  options: { search?: boolean } = {},
): Promise<Stack> {
  // A command that never searches (e.g. admin:create) starts no Meilisearch and checks no index.
  const withSearch = options.search ?? true
  const log = logger ?? createLogger(config.LOG_LEVEL)
  const dataDir = path.resolve(config.DATA_DIR)
  const started: Array<() => Promise<void>> = []
  const stopAll = async () => {
    for (const stop of started.reverse()) await stop().catch(() => undefined)
  }
  try {
    let embeddedPostgres: EmbeddedPostgresHandle | undefined
    let dbUrl = config.DATABASE_URL
    if (!dbUrl) {
      log.info('starting embedded PostgreSQL')
      const server = await startDataDirPostgres(dataDir)
      embeddedPostgres = server
      started.push(server.stop)
      if (server.secrets.created) {
        log.warn(
          { file: postgresSecretsFile(dataDir) },
          'generated passwords for the embedded PostgreSQL; back this file up with the data folder',
        )
      }
      // The superuser sets up the app's role and database; the product connects as that role.
      dbUrl = await ensureAppDatabase({
        superuserUrl: server.url,
        superuser,
        role: appRole,
        password: server.secrets.appPassword,
        database: appDatabase,
      })
    }
    let embeddedMeili: EmbeddedMeiliHandle | undefined
    let meiliUrl = config.MEILI_URL
    let meiliKey = config.MEILI_MASTER_KEY
    if (!meiliUrl && withSearch) {
      log.info('starting embedded Meilisearch')
      // The port it had last time, when free: replicas told to join it find it again.
      const port = await reusablePort(readServicesFile(dataDir)?.meilisearch?.port)
      embeddedMeili = await startEmbeddedMeili({
        dir: path.join(dataDir, 'meilisearch'),
        cacheDir: path.join(dataDir, 'bin'),
        ...(port === undefined ? {} : { port }),
      })
      started.push(embeddedMeili.stop)
      meiliUrl = embeddedMeili.url
      meiliKey = embeddedMeili.masterKey
    }

    const db = createDb({ connectionString: dbUrl, max: config.DATABASE_POOL_SIZE })
    started.push(() => db.destroy())
    const applied = await migrateToLatest(db.withoutPlugins() as never)
    if (applied.length > 0) log.info({ applied }, 'migrations applied')

    // Without search, an unset MEILI_URL gets Meilisearch's default address, never contacted.
    meiliUrl ??= 'http://127.0.0.1:7700'
    const search = createSearchClient({
      url: meiliUrl,
      apiKey: meiliKey,
      prefix: config.MEILI_INDEX_PREFIX,
    })
    if (withSearch) for (const kind of indexKinds) await ensureIndex(search, kind)

    if (embeddedPostgres || embeddedMeili) {
      writeServicesFile(dataDir, embeddedServices(dataDir, embeddedPostgres, embeddedMeili))
    }

    const deps = completeDeps(config, { db, search, logger: log })
    // Before anything is sealed: keys that cannot open what the database holds stop the start.
    await checkPiiKeys(deps, { generated: !config.PII_KEYS || !config.PII_HASH_KEY })

    return {
      deps,
      databaseUrl: dbUrl,
      meiliUrl,
      meiliKey,
      embeddedPostgres,
      embeddedMeili,
      stop: stopAll,
    }
  } catch (error) {
    await stopAll()
    throw error
  }
}

/** What services.json says of the services this process started: addresses and secret files. */
function embeddedServices(
  dataDir: string,
  postgres: EmbeddedPostgresHandle | undefined,
  meili: EmbeddedMeiliHandle | undefined,
): EmbeddedServices {
  return {
    startedBy: process.pid,
    ...(postgres && {
      postgres: {
        host: '127.0.0.1',
        port: postgres.port,
        database: appDatabase,
        user: appRole,
        passwordFile: postgresSecretsFile(dataDir),
      },
    }),
    ...(meili && {
      meilisearch: {
        url: meili.url,
        port: meili.port,
        masterKeyFile: path.join(dataDir, 'meilisearch', 'master-key'),
      },
    }),
  }
}
