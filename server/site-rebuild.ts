import { rm } from 'node:fs/promises'
import path from 'node:path'
import type { Deps } from '../api/deps.ts'
import type { Logger } from '../api/logger.ts'
import {
  dataStamp,
  newBuildDir,
  publishBuild,
  readStamp,
  removeBuildsExcept,
} from './site-build.ts'
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
  /** How long a replaced build stays on disk, for requests that began on it. */
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
 */
export function startSiteRebuilder(options: {
  deps: Pick<Deps, 'config' | 'db'>
  services: BuildServices
  site: ServedSite
  logger: Logger
  timing?: Partial<RebuildTiming>
}): SiteRebuilder {
  const { deps, services, site } = options
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
  /** The folder being built, and the build the latest switch replaced: both stay on disk. */
  let building: string | undefined
  let lastReplaced: string | undefined
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
    const dir = newBuildDir(deps)
    const started = Date.now()
    logger.info({ build: path.basename(dir) }, 'published data changed: rebuilding the site')
    if (!(await buildAndSwitch(dir))) return
    builds += 1
    failures = 0
    logger.info(
      { build: path.basename(dir), seconds: (Date.now() - started) / 1000 },
      'site rebuilt; serving the new pages',
    )
    // SITE_OUT_DIR/current follows, for a restart and for copying the pages elsewhere.
    await publishBuild(deps, dir).catch((error: unknown) =>
      logger.warn({ err: String(error) }, 'could not point SITE_OUT_DIR/current at the new build'),
    )
    removeLater()
  }

  /** Builds into `dir` and serves it; false (the folder removed, the failure logged) otherwise. */
  async function buildAndSwitch(dir: string): Promise<boolean> {
    building = dir
    child = startBuildChild({ config: deps.config, services, dir })
    try {
      await child.done
      if (isStopping()) throw new Error('stopped')
      const replaced = site.dir()
      await site.switchTo(dir)
      lastReplaced = replaced
      return true
    } catch (error) {
      await rm(dir, { recursive: true, force: true })
      if (isStopping()) return false
      failures += 1
      const pauseMs = Math.min(600_000, 30_000 * 2 ** (failures - 1))
      retryAt = Date.now() + pauseMs
      logger.error(
        { err: error instanceof Error ? error.message : String(error), retryInMs: pauseMs },
        'site rebuild failed; still serving the previous pages',
      )
      return false
    } finally {
      child = undefined
      building = undefined
    }
  }

  /**
   * Older builds go once requests that began on the replaced one have surely finished. What to
   * keep is decided when the timer fires: a later switch or a build started meanwhile counts.
   */
  function removeLater() {
    const timer = setTimeout(() => {
      removals.delete(timer)
      const keep = [site.dir(), lastReplaced, building].filter((d) => d !== undefined)
      void removeBuildsExcept(deps, keep).catch((error: unknown) =>
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
