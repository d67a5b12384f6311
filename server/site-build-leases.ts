import { randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { mkdir, readdir, readlink, rename, rm, unlink, utimes, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { holderRuns, readHolder, thisProcess, waitForLock, type Holder } from './site-build-lock.ts'

/**
 * Which builds under SITE_OUT_DIR/builds are in use, and by whom. Every process that serves or
 * builds pages keeps a lease, SITE_OUT_DIR/leases/<pid>-<random>.json: its identity (see
 * site-build-lock.ts) and the builds it holds (the one it serves, the one it replaced a minute
 * ago, the one it is building). A build is removed only when no running process holds it and
 * SITE_OUT_DIR/current does not point to it, so replicas sharing the folder (several processes of
 * one checkout, the default) never remove a build another one serves, and the builds of a killed
 * process go at the next sweep of any other.
 */

/** How often a lease is touched; a lease from another machine untouched for `leaseStaleMs` is dead. */
export const leaseTouchMs = 20_000
export const leaseStaleMs = 120_000

interface LeaseFile extends Holder {
  builds: string[]
}

export interface BuildLease {
  /** Adds a build folder to those this process holds (before building into it, or serving it). */
  hold: (dir: string) => Promise<void>
  /** Lets a build go: the next sweep removes it unless another process holds it. */
  release: (dir: string) => Promise<void>
  /** Ends the lease: what it held is free for the next sweep (the current build stays). */
  end: () => Promise<void>
}

const leasesDir = (outDir: string) => path.join(outDir, 'leases')
const buildsDir = (outDir: string) => path.join(outDir, 'builds')
const trashDir = (outDir: string) => path.join(outDir, 'trash')
/** Taken for a moment by a sweep and by a process adopting a build, never for long. */
const sweepLock = (outDir: string) => path.join(outDir, 'sweep.lock')
const sweepLockStaleMs = 30_000

async function writeAtomically(file: string, text: string) {
  const temporary = `${file}.${randomBytes(4).toString('hex')}.tmp`
  await writeFile(temporary, text)
  await rename(temporary, file)
}

/** Starts this process's lease on the builds of `outDir`, touched every `leaseTouchMs`. */
export async function takeLease(outDir: string): Promise<BuildLease> {
  await mkdir(leasesDir(outDir), { recursive: true })
  const file = path.join(leasesDir(outDir), `${process.pid}-${randomBytes(4).toString('hex')}.json`)
  const builds = new Set<string>()
  let ended = false
  const content = () => JSON.stringify({ ...thisProcess, builds: [...builds] } satisfies LeaseFile)
  // Writes in order: a later write never loses to an earlier one still under way. A failed write
  // fails its caller (a build it should have held is not made) but not the writes after it.
  let writing: Promise<void> = Promise.resolve()
  const enqueue = (step: () => Promise<void>) => {
    const next = writing.catch(() => undefined).then(() => (ended ? undefined : step()))
    writing = next
    return next
  }
  const write = () => {
    const text = content()
    return enqueue(() => writeAtomically(file, text))
  }
  await write()
  // Touched, or written again if it went missing (removed by hand, or taken for dead after a
  // long pause of this process).
  const timer = setInterval(() => {
    const now = new Date()
    enqueue(() => utimes(file, now, now).catch(() => writeAtomically(file, content()))).catch(
      () => undefined,
    )
  }, leaseTouchMs)
  timer.unref()
  return {
    hold: async (dir) => {
      builds.add(path.basename(dir))
      await write()
    },
    release: async (dir) => {
      builds.delete(path.basename(dir))
      await write()
    },
    end: async () => {
      clearInterval(timer)
      await writing.catch(() => undefined)
      ended = true
      await unlink(file).catch(() => undefined)
    },
  }
}

/** The builds held by running processes; the leases of dead ones are deleted on the way. */
async function heldBuilds(outDir: string): Promise<Set<string>> {
  const held = new Set<string>()
  const names = await readdir(leasesDir(outDir)).catch(() => [])
  for (const name of names.filter((n) => n.endsWith('.json'))) {
    const file = path.join(leasesDir(outDir), name)
    const lease = await readHolder(file)
    if (!lease) continue
    if (!holderRuns(lease.holder, lease.touchedAt, leaseStaleMs)) {
      await unlink(file).catch(() => undefined)
      continue
    }
    const builds = (lease.holder as Partial<LeaseFile>).builds
    for (const build of Array.isArray(builds) ? builds : []) held.add(build)
  }
  return held
}

async function currentName(outDir: string): Promise<string | undefined> {
  const target = await readlink(path.join(outDir, 'current')).catch(() => undefined)
  return target && path.basename(target)
}

const sweepLockOptions = { staleMs: sweepLockStaleMs, pollMs: 50 }

/**
 * Removes every build no running process holds and `current` does not point to: a dead process's
 * builds, half-built ones included, and builds replaced everywhere. Each is moved to
 * SITE_OUT_DIR/trash under the sweep lock (so no process adopts it meanwhile), then deleted.
 * Returns the names of the builds removed.
 */
export async function removeUnheldBuilds(outDir: string): Promise<string[]> {
  if (!existsSync(buildsDir(outDir))) return []
  const deadline = Date.now() + 10_000
  const lock = await waitForLock(sweepLock(outDir), {
    ...sweepLockOptions,
    giveUp: () => Date.now() > deadline,
  })
  // Another process is sweeping or adopting: the next sweep does what this one would have.
  if (!lock) return []
  const removed: string[] = []
  const trash = trashDir(outDir)
  try {
    // Folders first, leases second: a build begun after the listing is not in it, and one begun
    // before was held (hold comes before the folder is made) before its lease is read here.
    const names = await readdir(buildsDir(outDir))
    const keep = await heldBuilds(outDir)
    const current = await currentName(outDir)
    if (current) keep.add(current)
    await mkdir(trash, { recursive: true })
    for (const name of names.filter((n) => !keep.has(n))) {
      const aside = path.join(trash, `${name}.${randomBytes(3).toString('hex')}`)
      await rename(path.join(buildsDir(outDir), name), aside)
      removed.push(name)
    }
  } finally {
    await lock.release()
  }
  // Deleting takes a while for a big site; nobody can reach the trash, so it needs no lock. What
  // an interrupted sweep left there goes too.
  for (const name of await readdir(trash).catch(() => [])) {
    await rm(path.join(trash, name), { recursive: true, force: true }).catch(() => undefined)
  }
  return removed
}

/**
 * Holds a complete build another process made (`isComplete` checks it under the sweep lock, so it
 * cannot be swept between the check and the hold). False when it is gone or incomplete.
 */
export async function adoptBuild(
  outDir: string,
  lease: BuildLease,
  dir: string,
  isComplete: (dir: string) => Promise<boolean>,
): Promise<boolean> {
  const deadline = Date.now() + 10_000
  const lock = await waitForLock(sweepLock(outDir), {
    ...sweepLockOptions,
    giveUp: () => Date.now() > deadline,
  })
  if (!lock) return false
  try {
    if (!(await isComplete(dir))) return false
    await lease.hold(dir)
    return true
  } finally {
    await lock.release()
  }
}
