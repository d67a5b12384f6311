import { rm } from 'node:fs/promises'
import path from 'node:path'
import { ConfigError } from '../api/config.ts'
import type { Deps } from '../api/deps.ts'
import type { Logger } from '../api/logger.ts'
import {
  buildInto,
  buildStamp,
  findBuild,
  newBuildDir,
  publishBuild,
  readStamp,
  siteOutDir,
  siteOutDirProblem,
} from './site-build.ts'
import {
  adoptBuild,
  leaseStaleMs,
  leaseTouchMs,
  removeUnheldBuilds,
  takeLease,
  type BuildLease,
} from './site-build-leases.ts'
import { tryLock } from './site-build-lock.ts'

/**
 * One build at a time in a SITE_OUT_DIR, by whichever process holds SITE_OUT_DIR/build.lock.
 * Replicas that share the folder (several processes of one checkout) and want the same pages
 * (same sources, data and SITE_URL, as behind one balancer) wait for the one that builds and then
 * serve its build: three replicas started together on an empty checkout build once, and a change
 * is built once, not three times over on two cores. Replicas that want different pages (each its
 * own SITE_URL) build one after another; their builds never share the Astro cache (also in
 * SITE_OUT_DIR) while it is being written. A builder that dies frees the lock: at once on this
 * machine, after `leaseStaleMs` on another.
 */
const buildLock = (deps: Pick<Deps, 'config'>) => path.join(siteOutDir(deps), 'build.lock')
const waitPollMs = 500

export interface ObtainedBuild {
  dir: string
  /** Built by this process (false: another process's build, adopted). */
  built: boolean
}

/**
 * A complete build of the current sources and data, held in `lease`: one that exists already
 * (unless `reuse` is false), or one built by `build` under the build lock and published as
 * SITE_OUT_DIR/current. Undefined if `stopping` says so while waiting for the lock; a failed
 * build is removed and its error thrown.
 */
export async function obtainBuild(options: {
  deps: Pick<Deps, 'config' | 'db'>
  lease: BuildLease
  build: (dir: string) => Promise<void>
  reuse: boolean
  stopping: () => boolean
  logger: Logger
}): Promise<ObtainedBuild | undefined> {
  const { deps, lease } = options
  const outDir = siteOutDir(deps)
  const complete = async (dir: string) => (await readStamp(dir)) !== undefined
  const adoptable = async () => {
    if (!options.reuse) return undefined
    const found = await findBuild(deps, await buildStamp(deps))
    return found && (await adoptBuild(outDir, lease, found, complete)) ? found : undefined
  }
  const ready = await adoptable()
  if (ready) return { dir: ready, built: false }
  let waited = false
  for (;;) {
    const lock = await tryLock(buildLock(deps), leaseStaleMs)
    if (lock) {
      try {
        // Built by the lock's previous holder while this process waited for it.
        const meanwhile = await adoptable()
        if (meanwhile) return { dir: meanwhile, built: false }
        const dir = newBuildDir(deps)
        // Held before the folder exists: a sweep never takes a build being written.
        await lease.hold(dir)
        const touching = setInterval(() => void lock.touch(), leaseTouchMs)
        try {
          await options.build(dir)
        } catch (error) {
          await rm(dir, { recursive: true, force: true })
          await lease.release(dir)
          throw error
        } finally {
          clearInterval(touching)
        }
        await publishBuild(deps, dir)
        return { dir, built: true }
      } finally {
        await lock.release()
      }
    }
    if (options.stopping()) return undefined
    if (!waited) options.logger.info('another process is building the site: waiting for it')
    waited = true
    await new Promise((resolve) => setTimeout(resolve, waitPollMs))
  }
}

/**
 * `npm run build`: builds the site in this process and publishes it as SITE_OUT_DIR/current,
 * beside the builds running replicas serve, then removes the builds nobody holds.
 */
export async function buildSite(deps: Deps, logger: Logger): Promise<string> {
  const outDirProblem = siteOutDirProblem(deps.config)
  if (outDirProblem) throw new ConfigError([outDirProblem])
  const outDir = siteOutDir(deps)
  const lease = await takeLease(outDir)
  try {
    const obtained = await obtainBuild({
      deps,
      lease,
      build: (dir) => buildInto(deps, dir),
      reuse: false,
      stopping: () => false,
      logger,
    })
    if (!obtained) throw new Error('the site was not built')
    return obtained.dir
  } finally {
    await lease.end()
    await removeUnheldBuilds(outDir)
  }
}
