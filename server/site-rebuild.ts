import path from 'node:path'
import type { Deps } from '../api/deps.ts'
import type { Logger } from '../api/logger.ts'
import { dataStamp, readStamp, siteOutDir } from './site-build.ts'
import { removeUnheldBuilds, type BuildLease } from './site-build-leases.ts'
import { obtainBuild } from './site-build-obtain.ts'
import { listenForChanges } from './site-rebuild-listen.ts'
import { startBuildChild, type BuildChild, type BuildServices } from './site-rebuild-process.ts'
import type { ServedSite } from './site-rebuild-serving.ts'

export interface RebuildTiming {
  /** A change waits this long for more before a build starts (a burst makes one build). */
  quietMs: number
  /** …but never longer than this after the first change of the burst. */
  maxWaitMs: number
  /** Fallback for a lost notification: how often the data stamp is compared anyway. */
  checkEveryMs: number
  /** How long a replaced build stays held, for requests that began on it. */
  keepReplacedMs: number
}

const defaultTiming: RebuildTiming = {
  quietMs: 3_000,
  maxWaitMs: 15_000,
  checkEveryMs: 30_000,
  keepReplacedMs: 60_000,
}

export interface SiteRebuilder {
  /** How many builds were switched to since start. */
  builds: () => number
  stop: () => Promise<void>
}

/**
 * Keeps the static pages in step with the published data, in the background of the web process.
 * A change (a notification, or the periodic stamp check for a change whose notification was
 * missed) starts a build once things are quiet; one build runs at a time and a change during it
 * leads to one more afterwards. The build runs in a child process into a fresh folder; only a
 * complete build is switched to (server/site-rebuild-serving.ts), so a visitor gets the old
 * pages or the new ones, never a missing or half-built page. A failed build is logged and the old
 * pages stay; it is tried again after a growing pause.
 *
 * Every replica listens and rebuilds on its own; replicas sharing SITE_OUT_DIR and wanting the
 * same pages build a change once and all serve that build (server/site-build-obtain.ts). Builds
 * this process serves or has just replaced are held in its `lease`, and it removes only builds
 * no running process holds (server/site-build-leases.ts).
 */
export function startSiteRebuilder(options: {
  deps: Pick<Deps, 'config' | 'db'>
  services: BuildServices
  site: ServedSite
  lease: BuildLease
  logger: Logger
  timing?: Partial<RebuildTiming>
}): SiteRebuilder {
  const { deps, services, site, lease } = options
  const logger = options.logger.child({ component: 'site-rebuild' })
  const timing = { ...defaultTiming, ...options.timing }
  let stopping = false
  let builds = 0
  let failures = 0
  let retryAt = 0
  let firstChange: number | undefined
  let quietTimer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined
  /** Checks asked for so far: one asked during a build runs after it. */
  let checks = 0
  let child: BuildChild | undefined
  const removals = new Set<NodeJS.Timeout>()
  /** Read afresh after each await: stop() may have run meanwhile. */
  const isStopping = () => stopping

  /** A change was seen: check once it has been quiet for a while (or waited long enough). */
  function changed() {
    if (stopping) return
    const now = Date.now()
    firstChange ??= now
    clearTimeout(quietTimer)
    const wait = Math.min(timing.quietMs, firstChange + timing.maxWaitMs - now)
    quietTimer = setTimeout(check, Math.max(0, wait))
  }

  /** Checks now, or, while a build runs, once more right after it. */
  function check() {
    firstChange = undefined
    checks += 1
    if (running) return
    running = (async () => {
      let seen
      do {
        seen = checks
        await buildIfStale().catch((error: unknown) =>
          logger.warn({ err: String(error) }, 'could not check whether the site is stale'),
        )
      } while (checks !== seen && !isStopping())
    })().finally(() => (running = undefined))
  }

  async function buildIfStale() {
    const served = await readStamp(site.dir())
    if (stopping || Date.now() < retryAt || served?.data === (await dataStamp(deps))) return
    const started = Date.now()
    const replaced = site.dir()
    let obtained
    try {
      obtained = await obtainBuild({
        deps,
        lease,
        reuse: true,
        stopping: isStopping,
        logger,
        build: async (dir) => {
          logger.info({ build: path.basename(dir) }, 'published data changed: rebuilding the site')
          child = startBuildChild({ config: deps.config, services, dir })
          try {
            await child.done
          } finally {
            child = undefined
          }
        },
      })
      if (!obtained || isStopping()) return
      if (obtained.dir !== replaced) await site.switchTo(obtained.dir)
    } catch (error) {
      if (obtained && obtained.dir !== replaced) await lease.release(obtained.dir)
      if (isStopping()) return
      failures += 1
      const pauseMs = Math.min(600_000, 30_000 * 2 ** (failures - 1))
      retryAt = Date.now() + pauseMs
      logger.error(
        { err: error instanceof Error ? error.message : String(error), retryInMs: pauseMs },
        'site rebuild failed; still serving the previous pages',
      )
      return
    }
    failures = 0
    if (obtained.dir === replaced) return
    builds += 1
    logger.info(
      {
        build: path.basename(obtained.dir),
        builtHere: obtained.built,
        seconds: (Date.now() - started) / 1000,
      },
      obtained.built
        ? 'site rebuilt; serving the new pages'
        : 'site rebuilt by another process; serving its pages',
    )
    removeLater(replaced)
  }

  /**
   * The replaced build is let go once requests that began on it have surely finished; then
   * every build no running process holds goes (SITE_OUT_DIR/current always stays).
   */
  function removeLater(replaced: string) {
    const timer = setTimeout(() => {
      removals.delete(timer)
      void (async () => {
        if (replaced !== site.dir()) await lease.release(replaced)
        await removeUnheldBuilds(siteOutDir(deps))
      })().catch((error: unknown) =>
        logger.warn({ err: String(error) }, 'could not remove old site builds'),
      )
    }, timing.keepReplacedMs)
    timer.unref()
    removals.add(timer)
  }

  const listener = listenForChanges({
    databaseUrl: services.databaseUrl,
    onChange: changed,
    logger,
  })
  const periodic = setInterval(() => {
    void listener.ensure()
    check()
  }, timing.checkEveryMs)
  void listener.ensure()
  // Changes made while the site was being built at start-up (the expiry sweep, an import).
  changed()

  return {
    builds: () => builds,
    stop: async () => {
      stopping = true
      clearInterval(periodic)
      clearTimeout(quietTimer)
      for (const timer of removals) clearTimeout(timer)
      await child?.stop()
      await running
      await listener.stop()
    },
  }
}
