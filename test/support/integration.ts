import { randomBytes } from 'node:crypto'
import { rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { completeDeps } from '../../api/wiring/deps-from-config.ts'
import pg from 'pg'
import { inject } from 'vitest'
import { parseConfig } from '../../api/config.ts'
import type { Deps } from '../../api/deps.ts'
import { createLogger } from '../../api/logger.ts'
import { createSearchClient, ensureIndex, indexKinds } from '../../api/search/client.ts'
import { createDb } from '../../db/client.ts'
import { databaseUrl } from '../../scripts/stack/postgres.ts'
import { generateWebhookSecret } from '../../api/hotline/signature.ts'
import { templateDatabase } from './services.ts'
import { Writable } from 'node:stream'

export interface TestContext {
  deps: Deps
  databaseUrl: string
  /** Every log line written through deps.logger, for tests that inspect logs. */
  logLines: string[]
  cleanup: () => Promise<void>
}

/** Runs one statement on the test server as its superuser (creating or dropping a database). */
export async function adminQuery(sql: string) {
  const client = new pg.Client({ connectionString: inject('pgServerUrl') })
  await client.connect()
  try {
    await client.query(sql)
  } finally {
    await client.end()
  }
}

/**
 * A test file's own world: a fresh database cloned from the migrated template and index names
 * with a prefix of its own, on the run's real PostgreSQL and Meilisearch.
 */
export async function createTestContext(
  options: { env?: Record<string, string> } = {},
): Promise<TestContext> {
  const suffix = randomBytes(5).toString('hex')
  const dbName = `t_${suffix}`
  await adminQuery(`CREATE DATABASE ${dbName} TEMPLATE ${templateDatabase}`)
  const url = databaseUrl(inject('pgServerUrl'), dbName)
  const config = parseConfig({
    NODE_ENV: 'test',
    DATABASE_URL: url,
    MEILI_URL: inject('meiliUrl'),
    MEILI_MASTER_KEY: inject('meiliKey'),
    MEILI_INDEX_PREFIX: `t_${suffix}_`,
    LOG_LEVEL: 'info',
    PII_KEYS: `test-${suffix}:${randomBytes(32).toString('base64')}`,
    PII_HASH_KEY: randomBytes(32).toString('base64'),
    PHOTO_DIR: path.join(os.tmpdir(), `lishui-photos-${suffix}`),
    HOTLINE_WEBHOOK_SECRET: generateWebhookSecret(),
    HOTLINE_CALLBACK_SECRET: generateWebhookSecret(),
    ...options.env,
  })
  const logLines: string[] = []
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logLines.push(...chunk.toString().split('\n').filter(Boolean))
      callback()
    },
  })
  const logger = createLogger(config.LOG_LEVEL, sink)
  const db = createDb({ connectionString: url, max: 5 })
  const search = createSearchClient({
    url: inject('meiliUrl'),
    apiKey: inject('meiliKey'),
    prefix: config.MEILI_INDEX_PREFIX,
  })
  for (const kind of indexKinds) await ensureIndex(search, kind)
  return {
    deps: completeDeps(config, { db, search, logger }),
    databaseUrl: url,
    logLines,
    cleanup: async () => {
      await db.destroy()
      const { results } = await search.meili.getIndexes({ limit: 1000 })
      await Promise.all(
        results
          .filter((i) => i.uid.startsWith(config.MEILI_INDEX_PREFIX))
          .map((i) => search.meili.deleteIndex(i.uid).waitTask()),
      )
      await adminQuery(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)
      await rm(config.PHOTO_DIR!, { recursive: true, force: true })
    },
  }
}
