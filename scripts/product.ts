import http from 'node:http'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Config } from '../api/config.ts'
import type { Logger } from '../api/logger.ts'
import { installRuntime } from '../api/runtime.ts'
import { startBackgroundWork } from '../api/worker/background-thread.ts'
import { loadDemoDataIfEmpty } from './demo/load.ts'
import { syncNotices } from './notices-sync.ts'
import { securityHeaders } from './security-headers.ts'
import { buildSite, siteIsCurrent, siteOutDir } from './site-build.ts'
import { bootStack, type Stack } from './stack/index.ts'

export interface Product {
  stack: Stack
  /** Where the web server listens, e.g. http://127.0.0.1:4321 */
  url: string
  stop: () => Promise<void>
}

type NodeHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void

/**
 * The whole product: services (embedded when the configuration names none), demo data into an
 * empty embedded database, notices in the search index, a site build when sources or data
 * changed, then the web server and the outbox worker. `stop` undoes it all in reverse.
 */
export async function startProduct(
  config: Config,
  logger: Logger,
  options: { forceBuild?: boolean; demoCount?: number } = {},
): Promise<Product> {
  const cleanups: Array<() => Promise<void>> = []
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined)
  }
  try {
    const stack = await bootStack(config, logger)
    cleanups.push(stack.stop)
    const deps = stack.deps
    installRuntime(deps)

    const background = startBackgroundWork({
      config,
      databaseUrl: stack.databaseUrl,
      meiliUrl: stack.meiliUrl,
      meiliKey: stack.meiliKey,
      logger,
    })
    cleanups.push(background.stop)

    if (stack.embeddedPostgres && config.DEMO_DATA === 'auto') {
      const loaded = await loadDemoDataIfEmpty(deps, options.demoCount)
      if (loaded > 0) logger.info({ count: loaded }, '已载入演示数据 (demo data loaded)')
    }
    await syncNotices(deps)

    if (options.forceBuild || !(await siteIsCurrent(deps))) {
      logger.info('building the site (静态页面生成中)…')
      const started = Date.now()
      await buildSite(deps)
      logger.info({ seconds: Math.round((Date.now() - started) / 1000) }, 'site built')
    }

    process.env.ASTRO_NODE_AUTOSTART = 'disabled'
    const entry = pathToFileURL(path.join(siteOutDir(deps), 'server', 'entry.mjs')).href
    const { handler } = (await import(entry)) as { handler: NodeHandler }
    const server = http.createServer((req, res) => {
      securityHeaders(req, res)
      handler(req, res)
    })
    server.keepAliveTimeout = 5_000
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(config.PORT, config.HOST, resolve)
    })
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          server.close(() => resolve())
          server.closeAllConnections()
        }),
    )
    const address = server.address()
    const port = address && typeof address === 'object' ? address.port : config.PORT
    const host = config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST
    return { stack, url: `http://${host}:${port}`, stop }
  } catch (error) {
    await stop()
    throw error
  }
}
