import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readdir, readFile, readlink, rename, rm, stat, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import type { Deps } from '../api/deps.ts'
import { beijingDate } from '../api/domain/beijing-time.ts'
import { publishedDataStamp } from '../db/queries/enterprise-changes.ts'
import { precompressBuild } from './precompress.ts'
import { writeSiteDictionary } from './site-dictionary.ts'

/**
 * Where the site lives: every build in a folder of its own under SITE_OUT_DIR/builds, and
 * SITE_OUT_DIR/current a symbolic link to the one being served (what a CDN would copy). A build is
 * never written over the one being served, and a build folder never moves once built (the server
 * bundle knows its own path), so switching is one rename of the link and one assignment in the
 * web server (server/site-rebuild-serving.ts).
 */
const root = path.resolve(import.meta.dirname, '..')
const sourceDirs = ['site', 'content', 'api', 'db']
const sourceFiles = ['astro.config.mjs', 'package-lock.json']

/**
 * What the prerendered pages were built from: the sources, the published data and the site's
 * public address (absolute links in RSS are written with it).
 */
export interface BuildStamp {
  source: string
  data: string
  siteUrl: string
}

async function* filesUnder(dir: string): AsyncGenerator<string> {
  if (!existsSync(dir)) return
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) yield* filesUnder(full)
    else yield full
  }
}

async function sourceStamp(): Promise<string> {
  const hash = createHash('sha256')
  const files: string[] = []
  for (const dir of sourceDirs)
    for await (const f of filesUnder(path.join(root, dir))) files.push(f)
  for (const f of sourceFiles) if (existsSync(path.join(root, f))) files.push(path.join(root, f))
  for (const f of files.sort()) {
    const s = await stat(f)
    hash.update(`${path.relative(root, f)}:${s.size}:${s.mtimeMs}\n`)
  }
  return hash.digest('hex')
}

/**
 * The published data's part of the stamp: what the background rebuilder watches. Complaints
 * change all day, so the statistics page counts them to the end of yesterday (Beijing time) and
 * its part of the stamp is today's date: the site is rebuilt once a day for them, after midnight,
 * besides whenever a certification or a credit record changes.
 */
export const dataStamp = async (deps: Pick<Deps, 'db'>) =>
  `${await publishedDataStamp(deps.db)}|statistics:${beijingDate()}`

/**
 * What the prerendered pages depend on. When it changes the site is rebuilt; when it does not,
 * `npm start` serves the pages it already has.
 */
async function buildStamp(deps: Pick<Deps, 'config' | 'db'>): Promise<BuildStamp> {
  return { source: await sourceStamp(), data: await dataStamp(deps), siteUrl: deps.config.SITE_URL }
}

/** SITE_OUT_DIR, resolved against the project. */
export function siteOutDir(deps: Pick<Deps, 'config'>): string {
  return path.resolve(root, deps.config.SITE_OUT_DIR)
}

const buildsDir = (deps: Pick<Deps, 'config'>) => path.join(siteOutDir(deps), 'builds')
const currentLink = (deps: Pick<Deps, 'config'>) => path.join(siteOutDir(deps), 'current')
const stampFile = (dir: string) => path.join(dir, '.build-stamp')

/** The server entry of a build (what the web server imports). */
export const entryOf = (dir: string) => path.join(dir, 'server', 'entry.mjs')

/** The static files of a build (pages and assets the web server sends as they are). */
export const clientDirOf = (dir: string) => path.join(dir, 'client')

/** A new, empty build folder's path, later in sort order than every earlier one. */
export function newBuildDir(deps: Pick<Deps, 'config'>): string {
  const time = new Date().toISOString().replace(/[-:.]/g, '')
  return path.join(buildsDir(deps), `${time}-${randomBytes(3).toString('hex')}`)
}

/** A build is complete once its stamp is written, the last step of building it. */
export async function readStamp(dir: string): Promise<BuildStamp | undefined> {
  if (!existsSync(entryOf(dir)) || !existsSync(stampFile(dir))) return undefined
  try {
    return JSON.parse(await readFile(stampFile(dir), 'utf8')) as BuildStamp
  } catch {
    return undefined
  }
}

/** The folder SITE_OUT_DIR/current points to, if it holds a complete build. */
export async function currentBuild(deps: Pick<Deps, 'config'>): Promise<string | undefined> {
  try {
    const dir = path.resolve(siteOutDir(deps), await readlink(currentLink(deps)))
    return (await readStamp(dir)) ? dir : undefined
  } catch {
    return undefined
  }
}

/** The newest complete build other than `current`: kept a while for requests begun on it. */
export async function previousBuild(
  deps: Pick<Deps, 'config'>,
  current: string,
): Promise<string | undefined> {
  if (!existsSync(buildsDir(deps))) return undefined
  const names = (await readdir(buildsDir(deps))).sort().reverse()
  for (const name of names) {
    const dir = path.join(buildsDir(deps), name)
    if (dir !== current && (await readStamp(dir))) return dir
  }
  return undefined
}

export async function siteIsCurrent(deps: Pick<Deps, 'config' | 'db'>): Promise<boolean> {
  const dir = await currentBuild(deps)
  const built = dir && (await readStamp(dir))
  if (!built) return false
  const now = await buildStamp(deps)
  return built.source === now.source && built.data === now.data && built.siteUrl === now.siteUrl
}

/**
 * Runs Astro's build into `dir` in this process: prerendering reads the database through the
 * installed deps (server/deps.ts), then makes the site's compression dictionary and gives its text
 * files their compressed copies. The stamp
 * is taken before the build reads anything, so a change made during the build leaves the stamp
 * behind and is built next time.
 */
export async function buildInto(deps: Pick<Deps, 'config' | 'db'>, dir: string): Promise<void> {
  const stamp = await buildStamp(deps)
  const cacheDir = path.join(siteOutDir(deps), 'cache')
  const { build } = await import('astro')
  await build({
    root,
    outDir: dir,
    // A cache per SITE_OUT_DIR, so builds of several products on one checkout never share one.
    cacheDir: path.join(cacheDir, 'astro'),
    vite: { cacheDir: path.join(cacheDir, 'vite') },
    logLevel: 'warn',
  })
  const served = await currentBuild(deps)
  const servedClient = served && clientDirOf(served)
  // Same sources, same templates: the dictionary visitors hold stays good (server/site-dictionary.ts).
  const sameSources = served && (await readStamp(served))?.source === stamp.source
  const dictionary = await writeSiteDictionary(
    clientDirOf(dir),
    sameSources ? servedClient : undefined,
  )
  await precompressBuild(clientDirOf(dir), servedClient, dictionary)
  await writeFile(stampFile(dir), JSON.stringify(stamp))
}

/** Points SITE_OUT_DIR/current at a complete build: a new link renamed over the old, atomically. */
export async function publishBuild(deps: Pick<Deps, 'config'>, dir: string): Promise<void> {
  const link = currentLink(deps)
  const temporary = `${link}.${randomBytes(4).toString('hex')}`
  await symlink(path.relative(siteOutDir(deps), dir), temporary)
  await rename(temporary, link)
}

/** Removes every build folder but `keep` (finished or not: a half-built one is never served). */
export async function removeBuildsExcept(
  deps: Pick<Deps, 'config'>,
  keep: readonly string[],
): Promise<string[]> {
  if (!existsSync(buildsDir(deps))) return []
  const removed: string[] = []
  for (const name of await readdir(buildsDir(deps))) {
    const dir = path.join(buildsDir(deps), name)
    if (keep.includes(dir)) continue
    await rm(dir, { recursive: true, force: true })
    removed.push(dir)
  }
  return removed
}

/** Builds the site in this process into a new folder and makes it the current one. */
export async function buildSite(deps: Deps): Promise<string> {
  const previous = await currentBuild(deps)
  const dir = newBuildDir(deps)
  try {
    await buildInto(deps, dir)
  } catch (error) {
    await rm(dir, { recursive: true, force: true })
    throw error
  }
  await publishBuild(deps, dir)
  await removeBuildsExcept(deps, previous ? [dir, previous] : [dir])
  return dir
}
