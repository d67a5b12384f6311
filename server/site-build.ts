import { createHash, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import {
  mkdir,
  readdir,
  readFile,
  readlink,
  rename,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises'
import path from 'node:path'
import type { Config } from '../api/config.ts'
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
 * `npm start` serves the pages it already has, and a replica serves the build another one made.
 */
export async function buildStamp(deps: Pick<Deps, 'config' | 'db'>): Promise<BuildStamp> {
  return { source: await sourceStamp(), data: await dataStamp(deps), siteUrl: deps.config.SITE_URL }
}

const sameStamp = (a: BuildStamp, b: BuildStamp) =>
  a.source === b.source && a.data === b.data && a.siteUrl === b.siteUrl

/** SITE_OUT_DIR, resolved against the project (not the working directory). */
export function siteOutDir(deps: { config: Pick<Config, 'SITE_OUT_DIR'> }): string {
  return path.resolve(root, deps.config.SITE_OUT_DIR)
}

/** Whether `dir` is `parent` or lies inside it. */
const within = (dir: string, parent: string) => {
  const relative = path.relative(parent, dir)
  return relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative)
}

/**
 * Why SITE_OUT_DIR cannot hold the builds, if it cannot: builds inside the sources would change
 * the source stamp with every build (and be bundled into the next), and a folder holding the
 * project would mix builds, leases and locks with the checkout. Anywhere else is fine, outside
 * the project included.
 */
export function siteOutDirProblem(config: Pick<Config, 'SITE_OUT_DIR'>): string | undefined {
  const dir = siteOutDir({ config })
  const forbidden = [...sourceDirs, 'node_modules']
  const inside = forbidden.some((d) => within(dir, path.join(root, d)))
  if (!within(root, dir) && !inside) return undefined
  return (
    `SITE_OUT_DIR（${dir}）不能是项目目录或其上级，也不能在 ${forbidden.join('、')} 目录里：` +
    '请改用项目下的 dist（默认）或项目之外的目录，如 /srv/lishui-site'
  )
}

/**
 * The server bundle imports its packages by name (`astro`, `zod`, `pg`…), which Node looks up in
 * node_modules folders above the importing file: above a build inside the project it finds the
 * project's, above one elsewhere (SITE_OUT_DIR=/srv/site) nothing, and the build failed with
 * ERR_MODULE_NOT_FOUND. A build outside the project gets a link to the node_modules of the
 * checkout that built it (its own, so checkouts of different versions may share one folder).
 */
async function linkModules(dir: string) {
  if (within(dir, root)) return
  await mkdir(dir, { recursive: true })
  await symlink(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir')
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
async function currentBuild(deps: Pick<Deps, 'config'>): Promise<string | undefined> {
  try {
    const dir = path.resolve(siteOutDir(deps), await readlink(currentLink(deps)))
    return (await readStamp(dir)) ? dir : undefined
  } catch {
    return undefined
  }
}

/**
 * A complete build of exactly `wanted` (sources, data and address), `current` first, then the
 * newest: one another replica made, which this one may serve instead of building its own.
 */
export async function findBuild(
  deps: Pick<Deps, 'config'>,
  wanted: BuildStamp,
): Promise<string | undefined> {
  const current = await currentBuild(deps)
  const names = existsSync(buildsDir(deps)) ? await readdir(buildsDir(deps)) : []
  const candidates = names
    .sort()
    .reverse()
    .map((name) => path.join(buildsDir(deps), name))
  for (const dir of current ? [current, ...candidates] : candidates) {
    const stamp = await readStamp(dir)
    if (stamp && sameStamp(stamp, wanted)) return dir
  }
  return undefined
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
  await linkModules(dir)
  const { build } = await import('astro')
  await build({
    root,
    outDir: dir,
    // A cache per SITE_OUT_DIR, used by one build at a time (the build lock, site-build-obtain.ts).
    cacheDir: path.join(cacheDir, 'astro'),
    // `dir` is new: emptying it would only remove the node_modules link made above.
    vite: { cacheDir: path.join(cacheDir, 'vite'), build: { emptyOutDir: false } },
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
