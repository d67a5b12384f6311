import { execFileSync } from 'node:child_process'
import { chmod, mkdir, mkdtemp, readFile, rm } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../api/config.ts'
import { createLogger } from '../../api/logger.ts'
import { bootStack, type Stack } from '../../scripts/stack/index.ts'
import { postgresSecretsFile } from '../../scripts/stack/postgres-secrets.ts'
import { joinNotice, readServicesFile, servicesFile } from '../../scripts/stack/services-file.ts'

const root = path.resolve(import.meta.dirname, '../..')
let dataDir = ''

afterAll(async () => {
  if (dataDir) await rm(dataDir, { recursive: true, force: true })
})

/** `npm start`'s stack with nothing configured: embedded PostgreSQL and Meilisearch. */
const boot = () =>
  bootStack(
    parseConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'error' }),
    createLogger('error'),
  )

/** Every secret the data folder holds, which neither the file nor the notice may show. */
async function secretsOf(stack: Stack) {
  const pg = JSON.parse(await readFile(postgresSecretsFile(dataDir), 'utf8')) as Record<
    string,
    string
  >
  const pii = JSON.parse(
    await readFile(path.join(dataDir, 'secrets', 'pii.json'), 'utf8'),
  ) as Record<string, string>
  return [
    pg.superuserPassword!,
    pg.appPassword!,
    stack.meiliKey!,
    pii.piiKeys!.split(':')[1]!,
    pii.hashKey!,
  ]
}

describe('the embedded services’ addresses', () => {
  it('are written to DATA_DIR/services.json without secrets, kept across a restart, and the printed commands reach them', async () => {
    await mkdir(path.join(root, '.data', 'test'), { recursive: true })
    dataDir = await mkdtemp(path.join(root, '.data', 'test', 'services-'))
    await chmod(dataDir, 0o755) // run as root, PostgreSQL runs as its own user
    const first = await boot()
    let ports: { postgres: number; meilisearch: number }
    try {
      const written = await readFile(servicesFile(dataDir), 'utf8')
      const services = readServicesFile(dataDir)
      expect(services).toMatchObject({
        startedBy: process.pid,
        postgres: { host: '127.0.0.1', user: 'metrology_app', database: 'metrology' },
        meilisearch: { url: first.meiliUrl },
      })
      expect(services?.postgres?.port).toBe(first.embeddedPostgres?.port)
      ports = { postgres: services!.postgres!.port, meilisearch: services!.meilisearch!.port }
      const notice = joinNotice(dataDir, services!)
      for (const secret of await secretsOf(first)) {
        expect(written).not.toContain(secret)
        expect(notice).not.toContain(secret)
      }

      // The notice's command, with `npm start` swapped for a program that shows what it got.
      const command = notice
        .split('\n')
        .filter((line) => line.startsWith('  '))
        .join('\n')
        .replace(
          /npm start$/,
          `node -e 'console.log(JSON.stringify([process.env.DATABASE_URL, process.env.MEILI_URL, process.env.MEILI_MASTER_KEY]))'`,
        )
      const seen = JSON.parse(
        execFileSync('bash', ['-c', command], { encoding: 'utf8' }),
      ) as string[]
      expect(seen).toEqual([first.databaseUrl, first.meiliUrl, first.meiliKey])
    } finally {
      await first.stop()
    }

    // A restart listens where replicas were told to join.
    const again = await boot()
    try {
      expect(again.embeddedPostgres?.port).toBe(ports.postgres)
      expect(again.embeddedMeili?.port).toBe(ports.meilisearch)
      expect(again.databaseUrl).toBe(first.databaseUrl)
    } finally {
      await again.stop()
    }
  }, 180_000)
})
