import { createLogger } from '../api/logger.ts'
import { startProduct } from '../server/product.ts'
import { devStarters } from './stack/product.ts'
import { embeddedPostgresInUse } from './stack/in-use.ts'
import { loadConfigOrExit } from './cli.ts'
import { hasEnabledOperator } from '../db/queries/operators.ts'
import { hotlineKeysFromConfig, type DevHotlineSecrets } from '../api/hotline/keys.ts'
import { devHotlineSecretsNotice } from './hotline/start-notice.ts'
import { joinNotice, readServicesFile } from './stack/services-file.ts'

/**
 * `npm start`: the whole product in one process tree (see server/product.ts). SIGINT and SIGTERM
 * stop the web server, the worker and every service this process started.
 */
async function main() {
  const config = loadConfigOrExit()
  const holder = embeddedPostgresInUse(config)
  if (holder) {
    console.error(
      `已有一个 npm start 在使用 ${config.DATA_DIR} 下的内置数据库（进程 ${holder}）。请先停止它，或设置不同的 DATA_DIR。`,
    )
    process.exit(1)
  }
  const logger = createLogger(config.LOG_LEVEL)
  // Without HOTLINE_* secrets (never in production) development ones are made on first start;
  // made here so they can be printed once, after the address, for the simulator.
  let hotlineSecrets: DevHotlineSecrets | undefined
  hotlineKeysFromConfig(config, (created) => (hotlineSecrets = created))
  const state: { stopping: boolean; stop?: () => Promise<void> } = { stopping: false }
  const shutdown = async (signal: string) => {
    if (state.stopping) return
    state.stopping = true
    logger.info({ signal }, 'stopping')
    await state.stop?.()
    logger.info('stopped')
    process.exit(0)
  }
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => void shutdown(signal))
  }

  const product = await startProduct(config, logger, devStarters)
  state.stop = product.stop
  // A stop signal may have come during start-up, before `stop` was known.
  if (state.stopping) await product.stop()
  else {
    logger.info(`丽水诚信计量已启动: ${product.url}/  (Ctrl-C 停止)`)
    if (hotlineSecrets) process.stderr.write(devHotlineSecretsNotice(hotlineSecrets, product.url))
    // Embedded services this process started: how a second replica joins them.
    const services = readServicesFile(config.DATA_DIR)
    if (services?.startedBy === process.pid) {
      process.stderr.write(
        joinNotice(config.DATA_DIR, services, Number(new URL(product.url).port) + 1),
      )
    }
    // A warning, so it shows at every log level: without an account nobody can use /admin.
    if (!(await hasEnabledOperator(product.stack.deps.db))) {
      logger.warn(
        `后台 ${product.url}/admin 还没有可用账号：请在另一个终端运行 ` +
          'npm run admin:create -- --username 用户名 --role city_admin（会打印一次性密码）',
      )
    }
  }
}

main().catch((error: unknown) => {
  console.error('启动失败 (start failed):', error instanceof Error ? error.message : error)
  process.exit(1)
})
