import http from 'node:http'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { ConfigError, loadConfig } from '../api/config.ts'
import { createLogger } from '../api/logger.ts'
import { installRuntime } from '../api/runtime.ts'
import { startBackgroundWork } from '../api/worker/index.ts'
import { loadDemoDataIfEmpty } from './demo/load.ts'
import { syncNotices } from './notices-sync.ts'
import { buildSite, siteIsCurrent } from './site-build.ts'
import { bootStack, type Stack } from './stack/index.ts'

/**
 * `npm start`: the whole product in one process tree. Embedded services when the environment
 * names none, migrations, demo data into an empty embedded database, a site build when sources or
 * data changed, then the web server and the outbox worker. SIGINT/SIGTERM stop all of it.
 */
async function main() {
  let config
  try {
    config = loadConfig()
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message)
      process.exit(78)
    }
    throw error
  }
  const logger = createLogger(config.LOG_LEVEL)
  const cleanups: Array<() => Promise<void>> = []
  const state = { stopping: false }
  const shutdown = async (signal: string) => {
    if (state.stopping) return
    state.stopping = true
    logger.info({ signal }, 'stopping')
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined)
    logger.info('stopped')
    process.exit(0)
  }
  // We own shutdown: a library's own exit hook must not end the process before our cleanup ran.
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.removeAllListeners(signal)
    process.on(signal, () => void shutdown(signal))
  }

  const stack: Stack = await bootStack(config, logger)
  cleanups.push(stack.stop)
  // Last line of defence: never leave a child server running if the process dies anyway.
  process.on('exit', () => {
    for (const handle of [stack.embeddedMeili, stack.embeddedPostgres]) {
      const pid = handle?.pid()
      if (pid) {
        try {
          process.kill(pid, 'SIGKILL')
        } catch {
          // already gone
        }
      }
    }
  })
  if (state.stopping) return
  const deps = stack.deps
  installRuntime(deps)

  const background = startBackgroundWork({ deps, databaseUrl: stack.databaseUrl })
  cleanups.push(background.stop)

  if (stack.embeddedPostgres && config.DEMO_DATA === 'auto') {
    const loaded = await loadDemoDataIfEmpty(deps)
    if (loaded > 0) logger.info({ count: loaded }, '已载入演示数据 (demo data loaded)')
  }
  await syncNotices(deps)

  if (!(await siteIsCurrent(deps))) {
    logger.info('building the site (静态页面生成中)…')
    const started = Date.now()
    await buildSite(deps)
    logger.info({ seconds: Math.round((Date.now() - started) / 1000) }, 'site built')
  }
  // A stop signal may have arrived while the site was building.
  // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition
  if (state.stopping) return

  process.env.ASTRO_NODE_AUTOSTART = 'disabled'
  const entry = pathToFileURL(path.resolve(import.meta.dirname, '../dist/server/entry.mjs')).href
  const { handler } = (await import(entry)) as {
    handler: (req: http.IncomingMessage, res: http.ServerResponse) => void
  }
  const server = http.createServer(handler)
  server.keepAliveTimeout = 5_000
  await new Promise<void>((resolve) => server.listen(config.PORT, config.HOST, resolve))
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  )
  const shown = config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST
  logger.info(`丽水诚信计量已启动: http://${shown}:${config.PORT}/  (Ctrl-C 停止)`)
}

main().catch((error: unknown) => {
  console.error('启动失败 (start failed):', error instanceof Error ? error.message : error)
  process.exit(1)
})
