import { existsSync, readFileSync } from 'node:fs'
import { chown, mkdir, readFile, writeFile } from 'node:fs/promises'
import { userInfo } from 'node:os'
import path from 'node:path'
import { execFileSync } from 'node:child_process'
import pg from 'pg'
import EmbeddedPostgres from './embedded-postgres.ts'
import {
  loadOrCreatePostgresSecrets,
  postgresSecretsFile,
  type PostgresSecrets,
} from './postgres-secrets.ts'
import { freePort, reusablePort } from './ports.ts'
import { readServicesFile } from './services-file.ts'

export interface EmbeddedPostgresHandle {
  /** The superuser's connection string to the `postgres` database: for setting up, not for the app. */
  url: string
  port: number
  /** PID of the postgres server process (for fault tests that must kill it). */
  pid: () => number | undefined
  stop: () => Promise<void>
}

/** The superuser initdb makes; only the stack signs in as it, to set up the app's role. */
export const superuser = 'metrology'
/** The role the product connects with: owns the app database, may do nothing server-wide. */
export const appRole = 'metrology_app'
/** The app database of an embedded PostgreSQL. */
export const appDatabase = 'metrology'

/**
 * The superuser password of every data folder made before issue 20, and the one initdb is still
 * given: embedded-postgres hands it to initdb in a temporary file other users may read, so the
 * first start replaces it with the data folder's own (see adoptPassword) and it opens nothing
 * afterwards. Kept only for that and for upgrading old data folders.
 */
const initialPassword = 'metrology-local-only'

const serverUrl = (user: string, password: string, port: number, database = 'postgres') =>
  `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`

/**
 * The app's connection string to the embedded PostgreSQL that a running `npm start` holds in
 * `dataDir`, from its postmaster.pid (line 4 is the port) and the app password in
 * DATA_DIR/secrets, so a command can work beside it instead of refusing.
 */
export function runningEmbeddedDatabaseUrl(dataDir: string): string | undefined {
  const pidFile = path.join(path.resolve(dataDir), 'postgres', 'data', 'postmaster.pid')
  const secretsFile = postgresSecretsFile(dataDir)
  if (!existsSync(pidFile) || !existsSync(secretsFile)) return undefined
  const port = Number(readFileSync(pidFile, 'utf8').split('\n')[3])
  if (!Number.isInteger(port) || port <= 0) return undefined
  let appPassword: unknown
  try {
    appPassword = (JSON.parse(readFileSync(secretsFile, 'utf8')) as { appPassword?: unknown })
      .appPassword
  } catch {
    return undefined
  }
  if (typeof appPassword !== 'string') return undefined
  return serverUrl(appRole, appPassword, port, appDatabase)
}

/**
 * Makes `password` the superuser's. A data folder whose superuser still has the initial password
 * (one just made, or one made before issue 20) is given it here; one that already has it is left
 * alone. Anything else means the secrets file does not belong to this data folder.
 */
async function adoptPassword(port: number, password: string, secretsFile: string) {
  const connect = async (candidate: string) => {
    const client = new pg.Client({ connectionString: serverUrl(superuser, candidate, port) })
    await client.connect()
    return client
  }
  const wrongPassword = (error: unknown) => (error as { code?: string }).code === '28P01'
  try {
    await (await connect(password)).end()
    return
  } catch (error) {
    if (!wrongPassword(error)) throw error
  }
  let client: pg.Client
  try {
    client = await connect(initialPassword)
  } catch (error) {
    if (!wrongPassword(error)) throw error
    throw new Error(
      `内置 PostgreSQL 不接受 ${secretsFile} 中的密码：该文件不属于这个数据目录。请从备份恢复这个数据目录的 secrets/postgres.json。`,
      { cause: error },
    )
  }
  try {
    await client.query(
      `ALTER ROLE ${client.escapeIdentifier(superuser)} PASSWORD ${client.escapeLiteral(password)}`,
    )
  } finally {
    await client.end()
  }
}

/**
 * Data folders made before issue 20 sign in with the `password` method, which sends the password
 * itself over the connection; they are moved to SCRAM as new ones are made. The passwords set
 * above are stored as SCRAM verifiers (PostgreSQL's default), so both methods accept them.
 */
async function requireScram(dataDir: string, port: number, password: string) {
  const file = path.join(dataDir, 'pg_hba.conf')
  const text = await readFile(file, 'utf8')
  const upgraded = text.replace(
    /^(\s*(?:local|host)\S*\s.*\s)password(\s*)$/gm,
    '$1scram-sha-256$2',
  )
  if (upgraded === text) return
  await writeFile(file, upgraded)
  const client = new pg.Client({ connectionString: serverUrl(superuser, password, port) })
  await client.connect()
  try {
    await client.query('SELECT pg_reload_conf()')
  } finally {
    await client.end()
  }
}

/**
 * A real PostgreSQL server from the `embedded-postgres` package, with its data under `dir`.
 * Listens on loopback only; the data survives restarts unless `persistent` is false.
 */
async function startEmbeddedPostgres(options: {
  dir: string
  /** The superuser's password, from the data folder's secrets (loadOrCreatePostgresSecrets). */
  password: string
  /** Where that password is kept, named in the error when it does not fit the data folder. */
  secretsFile: string
  port?: number | undefined
  persistent?: boolean
  log?: (line: string) => void
}): Promise<EmbeddedPostgresHandle> {
  const dir = path.resolve(options.dir)
  const dataDir = path.join(dir, 'data')
  const port = options.port ?? (await freePort())
  await mkdir(dir, { recursive: true })
  const isRoot = userInfo().uid === 0
  if (isRoot) await prepareForRoot(dir)

  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port,
    user: superuser,
    password: initialPassword,
    // Only the SCRAM exchange goes over the connection, never the password itself.
    authMethod: 'scram-sha-256',
    persistent: options.persistent ?? true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C.UTF-8'],
    // Loopback only, no Unix socket in a shared folder; fsync stays on: acknowledged data is durable.
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=200',
    ],
    onLog: (message: unknown) => options.log?.(String(message)),
    onError: (message: unknown) => options.log?.(String(message)),
  })
  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) await server.initialise()
  await server.start()
  const inner = server as unknown as { process?: { pid?: number } }
  try {
    await adoptPassword(port, options.password, options.secretsFile)
    await requireScram(dataDir, port, options.password)
  } catch (error) {
    await server.stop()
    throw error
  }
  const url = serverUrl(superuser, options.password, port)
  // If this process ends without stop() (a crash, process.exit), ask the server for a fast
  // shutdown rather than leave it running: committed data is safe in its WAL either way.
  const onExit = () => signal(inner.process?.pid, 'SIGINT')
  process.on('exit', onExit)
  return {
    url,
    port,
    pid: () => inner.process?.pid,
    stop: async () => {
      process.removeListener('exit', onExit)
      await server.stop()
    },
  }
}

/**
 * The embedded PostgreSQL of a data folder: the server in `<dataDir>/postgres`, its passwords in
 * `<dataDir>/secrets/postgres.json`, made on first start. Unless told a port, it listens on the
 * one it had last time (DATA_DIR/services.json) when that is free, so replicas pointed at it
 * find it again after a restart.
 */
export async function startDataDirPostgres(
  dataDir: string,
  options: { port?: number; persistent?: boolean; log?: (line: string) => void } = {},
): Promise<EmbeddedPostgresHandle & { secrets: PostgresSecrets }> {
  const secrets = loadOrCreatePostgresSecrets(dataDir)
  const handle = await startEmbeddedPostgres({
    ...options,
    port: options.port ?? (await reusablePort(readServicesFile(dataDir)?.postgres?.port)),
    dir: path.join(path.resolve(dataDir), 'postgres'),
    password: secrets.superuserPassword,
    secretsFile: postgresSecretsFile(dataDir),
  })
  return { ...handle, secrets }
}

/**
 * PostgreSQL refuses to run as root, so embedded-postgres runs it as the `postgres` user; that
 * user must own the folder it writes into.
 */
async function prepareForRoot(dir: string) {
  try {
    execFileSync('id', ['-u', 'postgres'], { stdio: 'ignore' })
  } catch {
    execFileSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' })
    execFileSync('useradd', ['--system', '-g', 'postgres', 'postgres'], { stdio: 'ignore' })
  }
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim())
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim())
  await chown(dir, uid, gid)
}

/** Creates a database if it does not exist; returns its connection string. */
export function databaseUrl(serverUrl: string, database: string): string {
  const url = new URL(serverUrl)
  url.pathname = `/${database}`
  return url.toString()
}

export function signal(pid: number | undefined, name: NodeJS.Signals) {
  if (!pid) return
  try {
    process.kill(pid, name)
  } catch {
    // already gone
  }
}
