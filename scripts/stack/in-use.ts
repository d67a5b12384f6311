import { existsSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { Config } from '../../api/config.ts'
import { runningEmbeddedDatabaseUrl } from './postgres.ts'

/**
 * The PID of a running embedded PostgreSQL on this DATA_DIR (a running `npm start`), if any.
 * A second server on the same data folder would be refused by PostgreSQL anyway; finding it
 * first lets a command say what to do instead.
 */
export function embeddedPostgresInUse(config: Pick<Config, 'DATA_DIR' | 'DATABASE_URL'>) {
  if (config.DATABASE_URL) return undefined
  const pidFile = path.resolve(config.DATA_DIR, 'postgres', 'data', 'postmaster.pid')
  if (!existsSync(pidFile)) return undefined
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0])
  if (!Number.isInteger(pid) || pid <= 0) return undefined
  try {
    process.kill(pid, 0)
    return pid
  } catch {
    return undefined
  }
}

/** The message a command prints when `npm start` holds the embedded database. */
export function inUseMessage(command: string, pid: number) {
  return (
    `内置 PostgreSQL 正在被运行中的 npm start 使用（进程 ${pid}）。` +
    `请先停止 npm start 再运行 ${command}，或设置 DATABASE_URL 与 MEILI_URL 连接到正在运行的服务。`
  )
}

/**
 * For a command that needs only the database: the configuration to use beside a running
 * `npm start` (its embedded PostgreSQL, reached through the port in postmaster.pid), the same
 * configuration when nothing holds the embedded database, or the holder's PID when it cannot be
 * reached. What the command writes is then published by that `npm start`: its outbox worker
 * updates the search index and its rebuilder the static pages.
 */
export function besideRunningStart(
  config: Config,
): { config: Config; attached: boolean } | { heldBy: number } {
  const holder = embeddedPostgresInUse(config)
  if (!holder) return { config, attached: false }
  const running = runningEmbeddedDatabaseUrl(config.DATA_DIR)
  if (!running) return { heldBy: holder }
  return { config: { ...config, DATABASE_URL: running }, attached: true }
}
