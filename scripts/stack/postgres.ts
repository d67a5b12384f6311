import { existsSync, readFileSync } from 'node:fs'
import { chown, mkdir } from 'node:fs/promises'
import { userInfo } from 'node:os'
import path from 'node:path'
import { execFileSync } from 'node:child_process'
import EmbeddedPostgres from './embedded-postgres.ts'
import { freePort } from './ports.ts'

export interface EmbeddedPostgresHandle {
  url: string
  port: number
  /** PID of the postgres server process (for fault tests that must kill it). */
  pid: () => number | undefined
  stop: () => Promise<void>
}

const user = 'metrology'
const password = 'metrology-local-only'

/**
 * The server URL of the embedded PostgreSQL that a running `npm start` holds on `dir`, read from
 * its postmaster.pid (line 4 is the port), so a command can work beside it instead of refusing.
 */
export function runningEmbeddedPostgresUrl(dir: string): string | undefined {
  const pidFile = path.join(path.resolve(dir), 'data', 'postmaster.pid')
  if (!existsSync(pidFile)) return undefined
  const port = Number(readFileSync(pidFile, 'utf8').split('\n')[3])
  if (!Number.isInteger(port) || port <= 0) return undefined
  return `postgres://${user}:${password}@127.0.0.1:${port}/postgres`
}

/**
 * A real PostgreSQL server from the `embedded-postgres` package, with its data under `dir`.
 * Listens on loopback only; the data survives restarts unless `persistent` is false.
 */
export async function startEmbeddedPostgres(options: {
  dir: string
  port?: number
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
    user,
    password,
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
  const url = `postgres://${user}:${password}@127.0.0.1:${port}/postgres`
  const inner = server as unknown as { process?: { pid?: number } }
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
