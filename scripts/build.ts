import { ConfigError, loadConfig } from '../api/config.ts'
import { createLogger } from '../api/logger.ts'
import { installDeps, uninstallDeps } from '../server/deps.ts'
import { syncNotices } from '../server/notices-sync.ts'
import { siteOutDir } from '../server/site-build.ts'
import { buildSite } from '../server/site-build-obtain.ts'
import { embeddedPostgresInUse, inUseMessage } from './stack/in-use.ts'
import { bootStack } from './stack/index.ts'

/**
 * `npm run build`: publishes the static pages from the current data without serving them (for a
 * CDN, or to refresh pages after an import). `npm start` does the same when pages are stale.
 */
async function main() {
  const config = loadConfig()
  const holder = embeddedPostgresInUse(config)
  if (holder) {
    console.error(inUseMessage('npm run build', holder))
    process.exit(2)
  }
  const logger = createLogger(config.LOG_LEVEL)
  const stack = await bootStack(config, logger)
  try {
    installDeps(stack.deps)
    await syncNotices(stack.deps)
    const started = Date.now()
    await buildSite(stack.deps, logger)
    console.log(
      `静态页面已生成：${siteOutDir(stack.deps)}（${Math.round((Date.now() - started) / 1000)} 秒）`,
    )
  } finally {
    uninstallDeps()
    await stack.stop()
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : error)
  process.exit(1)
})
