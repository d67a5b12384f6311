import { createLogger } from '../api/logger.ts'
import { regradeAll } from '../api/services/credit/grade.ts'
import { loadConfigOrExit } from './cli.ts'
import { besideRunningStart, inUseMessage } from './stack/in-use.ts'
import { bootStack } from './stack/index.ts'

/**
 * `npm run credit:regrade`: computes the credit grade of every business again (certified and
 * market entities), after a new rule version or to repair. Beside a running `npm start` it uses
 * its database, and that process's worker then updates the search index and pages. Progress goes
 * to stderr (a line every 10 %), the summary to stdout. Exit codes: 0 done, 1 failed, 2 the
 * embedded database is held by an `npm start` that cannot be reached, 78 bad configuration.
 */
async function main(): Promise<number> {
  const beside = besideRunningStart(loadConfigOrExit())
  if ('heldBy' in beside) {
    console.error(inUseMessage('npm run credit:regrade', beside.heldBy))
    return 2
  }
  const { config } = beside
  if (!config.DATABASE_URL) console.error(`正在启动内置数据库（${config.DATA_DIR}）…`)
  const stack = await bootStack(config, createLogger('warn', process.stderr), { search: false })
  const started = Date.now()
  let lastTenth = -1
  try {
    const outcome = await regradeAll(stack.deps, {
      source: 'cli:credit-regrade',
      onProgress: (done, total) => {
        const tenth = Math.floor((done / Math.max(total, 1)) * 10)
        if (tenth > lastTenth) {
          lastTenth = tenth
          console.error(`重新评定信用等级：${tenth * 10}%（${done}/${total}）`)
        }
      },
    })
    const seconds = (Date.now() - started) / 1000
    console.log(
      `已评定 ${outcome.graded} 家单位，其中 ${outcome.written} 家的等级或理由有变化、` +
        `${outcome.gradeChanged} 家等级改变；用时 ${seconds.toFixed(1)} 秒。`,
    )
    return 0
  } catch (error) {
    console.error('重新评定失败 (regrade failed):', error instanceof Error ? error.message : error)
    return 1
  } finally {
    await stack.stop()
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error('重新评定失败 (regrade failed):', error instanceof Error ? error.message : error)
    process.exit(1)
  },
)
