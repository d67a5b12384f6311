import { execFileSync } from 'node:child_process'
import { chmod, chown, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { userInfo } from 'node:os'
import path from 'node:path'
import { sql } from 'kysely'
import pg from 'pg'
import { afterAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../api/config.ts'
import { createLogger } from '../../api/logger.ts'
import { createDb } from '../../db/client.ts'
import { migrateToLatest } from '../../db/migrate.ts'
import EmbeddedPostgres from '../../scripts/stack/embedded-postgres.ts'
import { bootStack, type Stack } from '../../scripts/stack/index.ts'
import { postgresSecretsFile } from '../../scripts/stack/postgres-secrets.ts'
import { freePort } from '../../scripts/stack/ports.ts'

const root = path.resolve(import.meta.dirname, '../..')
/** What every embedded data folder's superuser had before issue 20. */
const fixedPassword = 'metrology-local-only'
const folders: string[] = []

afterAll(async () => {
  for (const dir of folders) await rm(dir, { recursive: true, force: true })
})

async function dataFolder(label: string) {
  await mkdir(path.join(root, '.data', 'test'), { recursive: true })
  const dir = await mkdtemp(path.join(root, '.data', 'test', `pg-role-${label}-`))
  // Run as root, PostgreSQL runs as its own user, which must be able to reach its folder.
  await chmod(dir, 0o755)
  folders.push(dir)
  return dir
}

/** The stack as `npm start` boots it with no DATABASE_URL: embedded PostgreSQL in `dataDir`. */
const boot = (dataDir: string) =>
  bootStack(
    parseConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, LOG_LEVEL: 'error' }),
    createLogger('error'),
    { search: false },
  )

/** Who the product's own pool is signed in as. */
async function productRole(stack: Stack) {
  const { rows } = await sql<{
    name: string
    rolsuper: boolean
    rolcreaterole: boolean
    rolcreatedb: boolean
  }>`SELECT rolname AS name, rolsuper, rolcreaterole, rolcreatedb
     FROM pg_roles WHERE rolname = current_user`.execute(stack.deps.db)
  return rows[0]
}

/** Objects of the app database's public schema that the app role does not own. */
async function foreignOwned(stack: Stack) {
  const { rows } = await sql<{ name: string }>`
    SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = 'public' AND c.relowner <> current_user::regrole
    UNION ALL
    SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'public' AND p.proowner <> current_user::regrole`.execute(stack.deps.db)
  return rows.map((r) => r.name)
}

/** Signing in as the superuser with a password: the error code, or 'ok'. */
async function superuserSignIn(port: number, password: string) {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'metrology', password })
  try {
    await client.connect()
    await client.end()
    return 'ok'
  } catch (error) {
    return (error as { code?: string }).code
  }
}

async function secretsOf(dataDir: string) {
  const file = postgresSecretsFile(dataDir)
  return {
    fileMode: (await stat(file)).mode & 0o777,
    dirMode: (await stat(path.dirname(file))).mode & 0o777,
    ...(JSON.parse(await readFile(file, 'utf8')) as {
      superuserPassword: string
      appPassword: string
    }),
  }
}

describe('the embedded PostgreSQL', () => {
  it('connects the product as a role that is no superuser, with passwords of its own data folder kept 0600', async () => {
    const [dirA, dirB] = [await dataFolder('a'), await dataFolder('b')]
    const a = await boot(dirA)
    let portA: number
    try {
      portA = a.embeddedPostgres?.port ?? 0
      expect(await productRole(a)).toEqual({
        name: 'metrology_app',
        rolsuper: false,
        rolcreaterole: false,
        rolcreatedb: false,
      })
      // The migrations ran as the app role, which owns what they made.
      expect(await foreignOwned(a)).toEqual([])
      await expect(sql`CREATE ROLE intruder LOGIN`.execute(a.deps.db)).rejects.toThrow(
        /permission denied/,
      )
      const secrets = await secretsOf(dirA)
      expect({ file: secrets.fileMode, dir: secrets.dirMode }).toEqual({ file: 0o600, dir: 0o700 })
      expect(decodeURIComponent(new URL(a.databaseUrl).password)).toBe(secrets.appPassword)
      expect(new URL(a.databaseUrl).username).toBe('metrology_app')
      expect(secrets.appPassword).not.toBe(secrets.superuserPassword)
      for (const password of [secrets.appPassword, secrets.superuserPassword]) {
        expect(password).toMatch(/^[\w-]{43}$/)
      }
      expect(await superuserSignIn(portA, secrets.superuserPassword)).toBe('ok')
      expect(await superuserSignIn(portA, fixedPassword)).toBe('28P01')
      expect(await signInMethods(portA, secrets.superuserPassword)).toEqual(['scram-sha-256'])
    } finally {
      await a.stop()
    }

    const b = await boot(dirB)
    try {
      const [sa, sb] = [await secretsOf(dirA), await secretsOf(dirB)]
      expect(sb.superuserPassword).not.toBe(sa.superuserPassword)
      expect(sb.appPassword).not.toBe(sa.appPassword)
    } finally {
      await b.stop()
    }

    // A restart keeps the folder's passwords and its data.
    const before = await secretsOf(dirA)
    const again = await boot(dirA)
    try {
      expect(await secretsOf(dirA)).toEqual(before)
      expect((await productRole(again))?.rolsuper).toBe(false)
    } finally {
      await again.stop()
    }
  })

  it('upgrades a data folder made before (fixed password, superuser connection), keeping its data', async () => {
    const dataDir = await dataFolder('legacy')
    await makeLegacyDataFolder(dataDir)

    const stack = await boot(dataDir)
    try {
      expect((await productRole(stack))?.rolsuper).toBe(false)
      expect(await foreignOwned(stack)).toEqual([])
      // What the old superuser wrote is there, and the app role may change it.
      const { rows } = await sql<{
        name: string
      }>`SELECT name FROM sectors WHERE code = 'legacy_kept'`.execute(stack.deps.db)
      expect(rows).toEqual([{ name: '升级前写入' }])
      await sql`UPDATE sectors SET name = '升级后修改' WHERE code = 'legacy_kept'`.execute(
        stack.deps.db,
      )
      const secrets = await secretsOf(dataDir)
      expect(secrets.fileMode).toBe(0o600)
      const port = stack.embeddedPostgres?.port ?? 0
      expect(await superuserSignIn(port, fixedPassword)).toBe('28P01')
      expect(await superuserSignIn(port, secrets.superuserPassword)).toBe('ok')
      // Passwords no longer cross the connection in clear.
      expect(await signInMethods(port, secrets.superuserPassword)).toEqual(['scram-sha-256'])
    } finally {
      await stack.stop()
    }
  })
})

/** The sign-in methods pg_hba.conf names, read as the superuser. */
async function signInMethods(port: number, password: string) {
  const client = new pg.Client({ host: '127.0.0.1', port, user: 'metrology', password })
  await client.connect()
  try {
    const { rows } = await client.query<{ method: string }>(
      'SELECT DISTINCT auth_method AS method FROM pg_hba_file_rules WHERE error IS NULL',
    )
    return rows.map((r) => r.method)
  } finally {
    await client.end()
  }
}

/**
 * A data folder as the embedded stack made it before issue 20: the superuser `metrology` with the
 * fixed password, the app database owned by it and migrated through its connection, and a row
 * written by it.
 */
async function makeLegacyDataFolder(dataDir: string) {
  const dir = path.join(dataDir, 'postgres')
  await mkdir(dir, { recursive: true })
  const isRoot = userInfo().uid === 0
  if (isRoot) {
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim())
    await chown(dir, id('-u'), id('-g'))
  }
  const port = await freePort()
  const server = new EmbeddedPostgres({
    databaseDir: path.join(dir, 'data'),
    port,
    user: 'metrology',
    password: fixedPassword,
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: () => undefined,
    onError: () => undefined,
  })
  await server.initialise()
  await server.start()
  try {
    const url = `postgres://metrology:${fixedPassword}@127.0.0.1:${port}`
    const admin = new pg.Client({ connectionString: `${url}/postgres` })
    await admin.connect()
    await admin.query('CREATE DATABASE metrology')
    await admin.end()
    const db = createDb({ connectionString: `${url}/metrology`, max: 2 })
    try {
      await migrateToLatest(db.withoutPlugins() as never)
      await sql`INSERT INTO sectors (code, name, sort_order) VALUES ('legacy_kept', '升级前写入', 99)`.execute(
        db,
      )
    } finally {
      await db.destroy()
    }
  } finally {
    await server.stop()
  }
}
