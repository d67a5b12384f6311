import { randomBytes } from 'node:crypto'
import { mkdir, rm } from 'node:fs/promises'
import path from 'node:path'
import pg from 'pg'
import { freePort } from '../../scripts/stack/ports.ts'
import { startEmbeddedMeili, type EmbeddedMeiliHandle } from '../../scripts/stack/meilisearch.ts'
import {
  databaseUrl,
  startDataDirPostgres,
  type EmbeddedPostgresHandle,
} from '../../scripts/stack/postgres.ts'
import { startProduct, stopProcessTree, type RunningProduct } from './processes.ts'
import { startS3Server, type S3TestServer } from './s3-server.ts'

const root = path.resolve(import.meta.dirname, '../..')

/**
 * What several replicas share, as production runs them: one PostgreSQL, one Meilisearch, one
 * photo store and one set of secrets, each product process pointed at them by its environment.
 */
export interface SharedServices {
  dir: string
  postgres: EmbeddedPostgresHandle
  meili: EmbeddedMeiliHandle
  /** The photo store every replica shares: an S3-compatible server on loopback. */
  s3: S3TestServer
  /** The product database's connection string (the superuser's: tests read rows directly). */
  databaseUrl: string
  /** The environment every replica gets: services, secrets, trust of the balancer. */
  env: Record<string, string>
  /** Stops PostgreSQL (as an outage would) and starts it again on the same port and data. */
  restartPostgres: (downMs: number, whileDown?: () => Promise<void>) => Promise<void>
  stop: () => Promise<void>
}

const key32 = () => randomBytes(32).toString('base64')

export async function startSharedServices(label: string): Promise<SharedServices> {
  const dir = path.join(root, '.data', 'test', `${label}-${process.pid}`)
  await rm(dir, { recursive: true, force: true })
  await mkdir(dir, { recursive: true })
  let postgres = await startDataDirPostgres(path.join(dir, 'pg'))
  const meili = await startEmbeddedMeili({
    dir: path.join(dir, 'meili'),
    cacheDir: path.join(root, '.data', 'bin'),
  })
  const s3 = await startS3Server()
  const admin = new pg.Client({ connectionString: postgres.url })
  await admin.connect()
  await admin.query('CREATE DATABASE replicas')
  await admin.end()
  const url = databaseUrl(postgres.url, 'replicas')
  const env = {
    DATABASE_URL: url,
    MEILI_URL: meili.url,
    MEILI_MASTER_KEY: meili.masterKey,
    MEILI_INDEX_PREFIX: 'replicas_',
    PII_KEYS: `replicas-1:${key32()}`,
    PII_HASH_KEY: key32(),
    HOTLINE_WEBHOOK_SECRET: `whsec_${key32()}`,
    HOTLINE_CALLBACK_SECRET: `whsec_${key32()}`,
    TRUST_PROXY: 'true',
    DEMO_DATA: 'never',
    LOG_LEVEL: 'warn',
    ...s3.env('replicas/'),
  }
  return {
    dir,
    get postgres() {
      return postgres
    },
    meili,
    s3,
    databaseUrl: url,
    env,
    restartPostgres: async (downMs, whileDown) => {
      const port = postgres.port
      await postgres.stop()
      const until = Date.now() + downMs
      await whileDown?.()
      const left = until - Date.now()
      if (left > 0) await new Promise((resolve) => setTimeout(resolve, left))
      postgres = await startDataDirPostgres(path.join(dir, 'pg'), { port })
    },
    stop: async () => {
      await Promise.allSettled([meili.stop(), postgres.stop(), s3.stop()])
      await rm(dir, { recursive: true, force: true })
    },
  }
}

export interface Replica extends RunningProduct {
  port: number
}

/**
 * One product process as `npm start` runs it from this checkout, with the shared services'
 * environment: default settings otherwise (its site builds where every checkout's do).
 */
export async function startReplica(
  shared: SharedServices,
  port: number,
  env: Record<string, string> = {},
): Promise<Replica> {
  const product = await startProduct({
    command: process.execPath,
    args: ['--import', 'tsx', 'scripts/start.ts'],
    cwd: root,
    dataDir: path.join(shared.dir, 'data'),
    port,
    siteOutDirInDataDir: false,
    env: { ...shared.env, ...env },
  })
  return { ...product, port }
}

export const stopReplica = (replica: Replica | undefined) => stopProcessTree(replica?.child, 20_000)

export { freePort }
