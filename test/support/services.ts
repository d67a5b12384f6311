import { mkdir, rm } from 'node:fs/promises'
import path from 'node:path'
import pg from 'pg'
import { createDb } from '../../db/client.ts'
import { migrateToLatest } from '../../db/migrate.ts'
import { startEmbeddedMeili, type EmbeddedMeiliHandle } from '../../scripts/stack/meilisearch.ts'
import {
  databaseUrl,
  startDataDirPostgres,
  type EmbeddedPostgresHandle,
} from '../../scripts/stack/postgres.ts'

export const templateDatabase = 'metrology_template'
const root = path.resolve(import.meta.dirname, '../..')

export interface TestServices {
  postgres: EmbeddedPostgresHandle
  meili: EmbeddedMeiliHandle
  dir: string
  stop: () => Promise<void>
}

/**
 * Real servers for one test run, in a folder of their own under .data/test, plus a migrated
 * template database from which each test file clones its own database.
 */
export async function startTestServices(label: string): Promise<TestServices> {
  const dir = path.join(root, '.data', 'test', `${label}-${process.pid}`)
  await rm(dir, { recursive: true, force: true })
  await mkdir(dir, { recursive: true })
  const [postgres, meili] = await Promise.all([
    // Signed in as the superuser: the tests clone a database per file from the template.
    startDataDirPostgres(dir, { persistent: false }),
    startEmbeddedMeili({ dir: path.join(dir, 'meili'), cacheDir: path.join(root, '.data', 'bin') }),
  ])
  const admin = new pg.Client({ connectionString: postgres.url })
  await admin.connect()
  await admin.query(`CREATE DATABASE ${templateDatabase}`)
  await admin.end()
  const db = createDb({ connectionString: databaseUrl(postgres.url, templateDatabase), max: 2 })
  await migrateToLatest(db.withoutPlugins() as never)
  await db.destroy()
  return {
    postgres,
    meili,
    dir,
    stop: async () => {
      await Promise.allSettled([meili.stop(), postgres.stop()])
      await rm(dir, { recursive: true, force: true })
    },
  }
}
