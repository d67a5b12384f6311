import { acceptForwardedOrigin } from './forwarded-origin.ts'
import http from 'node:http'
import {
  ConfigError,
  configWarnings,
  servedSiteUrl,
  siteUrlAwaitsPort,
  type Config,
} from '../api/config.ts'
import type { Deps } from '../api/deps.ts'
import type { Logger } from '../api/logger.ts'
import { watchSessionChanges } from '../api/session-cache.ts'
import { startBackgroundWork } from '../api/worker/background-thread.ts'
import { answerExpectContinue, guardBody } from './body-guard.ts'
import { installDeps, uninstallDeps } from './deps.ts'
import { syncNotices } from './notices-sync.ts'
import { compressResponses } from './compress-responses.ts'
import { serveOpenData } from './open-data.ts'
import { servePrecompressed } from './precompressed-files.ts'
import { securityHeaders } from './security-headers.ts'
import { open311Server } from './open311.ts'
import { setServerTimeouts } from '../api/http/server-timeouts.ts'
import { clientDirOf, siteOutDir, siteOutDirProblem } from './site-build.ts'
import { removeUnheldBuilds, takeLease, type BuildLease } from './site-build-leases.ts'
import { obtainBuild } from './site-build-obtain.ts'
import { startSiteRebuilder, type RebuildTiming, type SiteRebuilder } from './site-rebuild.ts'
import { startBuildChild, type BuildServices } from './site-rebuild-process.ts'
import { serveBuild } from './site-rebuild-serving.ts'

/**
 * PostgreSQL and Meilisearch as the product runs on them: reached at the configured addresses,
 * or started for it (the embedded dev stack, scripts/stack `bootStack`). `deps` holds everything
 * but the console's session cache, which the product adds before installing them.
 */
interface ProductServices {
  deps: Deps
  /** Connection string in use (embedded: the app role's, never the superuser's). */
  databaseUrl: string
  meiliUrl: string
  meiliKey: string | undefined
  /** Set when PostgreSQL was started for this product: demo data may go into it. */
  embeddedPostgres: unknown
  stop: () => Promise<void>
}

/** How the product gets its services and demo data; `npm start` passes the dev stack's. */
export interface ProductStarters {
  startServices: (config: Config, logger: Logger) => Promise<ProductServices>
  /** Loads demo data into an empty database; returns how many businesses it added. */
  loadDemoData: (deps: Deps, count?: number) => Promise<number>
}

export interface Product {
  stack: ProductServices
  /** Where the web server listens, e.g. http://127.0.0.1:4321 */
  url: string
  /** Rebuilds the static pages when published data changes. */
  rebuilder: SiteRebuilder
  stop: () => Promise<void>
}

/**
 * The pages to serve at start: a build of the current sources and data that another process
 * sharing SITE_OUT_DIR made (a replica started before or beside this one, an earlier run), else
 * one built now in a child process. Builds nobody holds any more (a killed replica's, a build cut
 * short) go once this one is held.
 */
async function siteAtStart(options: {
  deps: Deps
  services: BuildServices
  lease: BuildLease
  forceBuild: boolean
  logger: Logger
}): Promise<string> {
  const { deps, logger } = options
  const obtained = await obtainBuild({
    deps,
    lease: options.lease,
    reuse: !options.forceBuild,
    stopping: () => false,
    logger,
    build: async (dir) => {
      logger.info('building the site (静态页面生成中)…')
      const child = startBuildChild({ config: deps.config, services: options.services, dir })
      const { seconds } = await child.done
      logger.info({ seconds }, 'site built')
    },
  })
  if (!obtained) throw new Error('the site build is missing after building it')
  if (!obtained.built) logger.info({ build: obtained.dir }, 'serving the pages already built')
  await removeUnheldBuilds(siteOutDir(deps))
  return obtained.dir
}

/**
 * The whole product: services (embedded when the configuration names none), demo data into an
 * empty embedded database, notices in the search index, a site build when sources or data
 * changed, then the web server, the outbox worker and the site rebuilder, which publishes later
 * changes to the static pages. `stop` undoes it all in reverse.
 */
export async function startProduct(
  configured: Config,
  logger: Logger,
  options: ProductStarters & {
    forceBuild?: boolean
    demoCount?: number
    rebuildTiming?: Partial<RebuildTiming>
  },
): Promise<Product> {
  const cleanups: Array<() => Promise<void>> = []
  const stop = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined)
  }
  try {
    const outDirProblem = siteOutDirProblem(configured)
    if (outDirProblem) throw new ConfigError([outDirProblem])
    for (const warning of configWarnings(configured)) logger.warn(warning)
    // The server exists from the start; requests wait until the site is served.
    const site: { answer?: http.RequestListener } = {}
    const waiting: Array<() => void> = []
    const server = http.createServer((req, res) => {
      if (site.answer) site.answer(req, res)
      else waiting.push(() => site.answer?.(req, res))
    })
    answerExpectContinue(server, configured)
    setServerTimeouts(server, configured)
    let port = configured.PORT
    const listen = async () => {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject)
        server.listen(configured.PORT, configured.HOST, resolve)
      })
      cleanups.push(
        () =>
          new Promise<void>((resolve) => {
            server.close(() => resolve())
            server.closeAllConnections()
          }),
      )
      const address = server.address()
      if (address && typeof address === 'object') port = address.port
      return port
    }
    // A port chosen by the system (PORT 0) is only known once the server listens; the site's
    // address, built into RSS links and plaque QR codes, is that port's, so it listens first.
    const config = siteUrlAwaitsPort(configured)
      ? { ...configured, SITE_URL: servedSiteUrl(configured, await listen()) }
      : configured
    const stack = await options.startServices(config, logger)
    cleanups.push(stack.stop)
    // The console remembers sessions it confirmed and hears every change to them, so its cache
    // is part of the deps from the start: they are complete before they are installed.
    const sessions = watchSessionChanges({ databaseUrl: stack.databaseUrl, logger })
    cleanups.push(sessions.close)
    const deps = installDeps({ ...stack.deps, sessionCache: sessions.cache })
    cleanups.push(() => Promise.resolve(uninstallDeps()))

    const background = startBackgroundWork({
      config,
      databaseUrl: stack.databaseUrl,
      meiliUrl: stack.meiliUrl,
      meiliKey: stack.meiliKey,
      logger,
    })
    cleanups.push(background.stop)

    if (stack.embeddedPostgres && config.DEMO_DATA === 'auto') {
      const loaded = await options.loadDemoData(deps, options.demoCount)
      if (loaded > 0) logger.info({ count: loaded }, '已载入演示数据 (demo data loaded)')
    }
    await syncNotices(deps)

    const services = {
      databaseUrl: stack.databaseUrl,
      meiliUrl: stack.meiliUrl,
      meiliKey: stack.meiliKey,
    }
    // Replicas share SITE_OUT_DIR: this one's builds are held in a lease until it stops.
    const lease = await takeLease(siteOutDir(deps))
    cleanups.push(lease.end)
    const current = await siteAtStart({
      deps,
      services,
      lease,
      forceBuild: options.forceBuild ?? false,
      logger,
    })
    const served = await serveBuild(current)

    const serveOpen311 = open311Server(deps)
    site.answer = (req, res) => {
      securityHeaders(req, res)
      compressResponses(req, res)
      guardBody(config, req, res, () => {
        if (serveOpenData(deps, req, res)) return
        if (serveOpen311(req, res)) return
        acceptForwardedOrigin(config, req)
        if (!servePrecompressed(clientDirOf(served.dir()), req, res)) served.handle(req, res)
      })
    }
    for (const held of waiting.splice(0)) held()
    if (!server.listening) await listen()
    const rebuilder = startSiteRebuilder({
      deps,
      services,
      site: served,
      lease,
      logger,
      timing: options.rebuildTiming ?? {},
    })
    cleanups.push(rebuilder.stop)

    return { stack, url: servedSiteUrl(config, port), rebuilder, stop }
  } catch (error) {
    await stop()
    throw error
  }
}
