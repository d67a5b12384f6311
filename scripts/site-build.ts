import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import { readdir, readFile, stat, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { sql } from 'kysely'
import type { Deps } from '../api/deps.ts'

const root = path.resolve(import.meta.dirname, '..')
const sourceDirs = ['site', 'content', 'api', 'db']
const sourceFiles = ['astro.config.mjs', 'package-lock.json']

async function* filesUnder(dir: string): AsyncGenerator<string> {
  if (!existsSync(dir)) return
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) yield* filesUnder(full)
    else yield full
  }
}

/**
 * What the prerendered pages depend on: the sources and the published data. When it changes the
 * site is rebuilt; when it does not, `npm start` serves the pages it already has.
 */
export async function buildStamp(deps: Deps): Promise<string> {
  const hash = createHash('sha256')
  const files: string[] = []
  for (const dir of sourceDirs)
    for await (const f of filesUnder(path.join(root, dir))) files.push(f)
  for (const f of sourceFiles) if (existsSync(path.join(root, f))) files.push(path.join(root, f))
  for (const f of files.sort()) {
    const s = await stat(f)
    hash.update(`${path.relative(root, f)}:${s.size}:${s.mtimeMs}\n`)
  }
  const data = await sql<{ n: string; latest: string | null }>`
    SELECT count(*)::text AS n, max(updated_at)::text AS latest FROM enterprises
  `.execute(deps.db)
  hash.update(JSON.stringify(data.rows[0]))
  return hash.digest('hex')
}

/** The built site's folder, from SITE_OUT_DIR. */
export function siteOutDir(deps: Pick<Deps, 'config'>): string {
  return path.resolve(root, deps.config.SITE_OUT_DIR)
}

const stampFileOf = (deps: Pick<Deps, 'config'>) => path.join(siteOutDir(deps), '.build-stamp')

export async function siteIsCurrent(deps: Deps): Promise<boolean> {
  const stampFile = stampFileOf(deps)
  if (!existsSync(path.join(siteOutDir(deps), 'server', 'entry.mjs')) || !existsSync(stampFile)) {
    return false
  }
  return (await readFile(stampFile, 'utf8')) === (await buildStamp(deps))
}

/** Builds the site in this process, so prerendering reads the database through `deps`. */
export async function buildSite(deps: Deps): Promise<void> {
  const stamp = await buildStamp(deps)
  const { build } = await import('astro')
  await build({ root, outDir: siteOutDir(deps), logLevel: 'warn' })
  await writeFile(stampFileOf(deps), stamp)
}
