import { readdirSync, readFileSync } from 'node:fs'
import { copyFile, mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { dictionaryOf, type Dictionary } from './dictionary-coding.ts'

/**
 * One compression dictionary per build (RFC 9842): the pages' shared markup (header, navigation,
 * footer, each kind of page's headings and labels), so that a visitor who has it receives a page
 * as little more than its own text. Short pages of unique Chinese prose come to 28-39 % of their
 * size with brotli alone, 2-26 % against the dictionary (300 businesses).
 */

/** Where a build keeps its dictionary, under its static files. */
const dictionaryFolder = '_dict'

/**
 * Chromium keeps dictionaries of up to 100 MB, but every first visitor downloads it once
 * (about a sixth of this, compressed); the skeletons of the site's dozen kinds of page fit.
 */
const maxDictionaryBytes = 64 * 1024

/**
 * A piece of markup goes in only if at least this many pages have it: shared template text, never
 * one page's own words.
 */
const minPagesSharing = 3

export interface SiteDictionary extends Dictionary {
  /** The first 16 hex digits of the hash: in the file's name and its `id`. */
  id: string
  /** The address the site serves it at, e.g. /_dict/site-0123456789abcdef.dict */
  href: string
}

const siteDictionaryOf = (bytes: Buffer): SiteDictionary => {
  const dictionary = dictionaryOf(bytes)
  const id = dictionary.hash.toString('hex').slice(0, 16)
  return { ...dictionary, id, href: `/${dictionaryFolder}/site-${id}.dict` }
}

/** Tags and text runs, split after each clause so a shared phrase stands apart from the rest. */
const piecesOf = (html: string) =>
  html.split(/(?=<)|(?<=>)|(?<=[，。：；、！？])/u).filter((piece) => piece.length > 0)

/** Pages of one kind share a template: the folder pattern with the page's own name left out. */
const kindOf = (page: string) => {
  const parts = page.split('/')
  return `${parts.length}:${parts.length > 2 ? parts[0] : ''}`
}

/**
 * The dictionary for a set of built pages (paths relative to the build, HTML text): for each kind
 * of page, a middle one in name order with every piece fewer than three pages share taken out, so
 * what remains is the template in its order (long matches are cheap). Kinds with more pages come
 * last: brotli reaches near bytes with shorter distances. Capped from the front.
 */
export function makeSiteDictionary(pages: ReadonlyArray<{ path: string; html: string }>): Buffer {
  const pieces = pages.map((page) => ({ ...page, pieces: piecesOf(page.html) }))
  const sharing = new Map<string, number>()
  for (const page of pieces) {
    for (const piece of new Set(page.pieces)) sharing.set(piece, (sharing.get(piece) ?? 0) + 1)
  }
  const kinds = new Map<string, typeof pieces>()
  for (const page of [...pieces].sort((a, b) => (a.path < b.path ? -1 : 1))) {
    const kind = kindOf(page.path)
    const same = kinds.get(kind)
    if (same) same.push(page)
    else kinds.set(kind, [page])
  }
  const skeletons = [...kinds.values()]
    .sort((a, b) => a.length - b.length)
    .map((same) => same[Math.floor(same.length / 2)]?.pieces ?? [])
    .map((list) => list.filter((piece) => (sharing.get(piece) ?? 0) >= minPagesSharing))
  // Whole pieces only, dropped from the front: the dictionary stays valid UTF-8.
  const kept: string[] = []
  let size = 0
  for (const piece of skeletons.flat().reverse()) {
    size += Buffer.byteLength(piece)
    if (size > maxDictionaryBytes) break
    kept.push(piece)
  }
  return Buffer.from(kept.reverse().join(''))
}

async function* pagesUnder(dir: string, base = dir): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) yield* pagesUnder(full, base)
    else if (entry.isFile() && entry.name.endsWith('.html')) yield path.relative(base, full)
  }
}

/** The dictionary a finished build holds, if any. */
async function dictionaryIn(clientDir: string): Promise<SiteDictionary | undefined> {
  const names = await readdir(path.join(clientDir, dictionaryFolder)).catch(() => [])
  const name = names.find((n) => /^site-[0-9a-f]{16}\.dict$/.test(n))
  return name
    ? siteDictionaryOf(await readFile(path.join(clientDir, dictionaryFolder, name)))
    : undefined
}

/**
 * Makes the dictionary of a build whose pages are written, saves it under /_dict/ and announces
 * it in every page's head (`<link rel="compression-dictionary">`, which Chromium fetches when
 * idle). A rebuild from the same sources (`reuseFrom`: the build being served, when only the
 * published data changed) keeps that build's dictionary: the templates are the same, visitors
 * keep the one they hold, and unchanged pages keep their compressed copies. Only prerendered
 * pages go in, which anyone may read: nothing a visitor typed or an officer keeps private.
 */
export async function writeSiteDictionary(
  clientDir: string,
  reuseFrom?: string,
): Promise<SiteDictionary | undefined> {
  const files: string[] = []
  for await (const file of pagesUnder(clientDir)) files.push(file.split(path.sep).join('/'))
  if (files.length === 0) return undefined
  const reused = reuseFrom ? await dictionaryIn(reuseFrom) : undefined
  const dictionary =
    reused ??
    siteDictionaryOf(
      makeSiteDictionary(
        await Promise.all(
          samplePages(files).map(async (file) => ({
            path: file,
            html: await readFile(path.join(clientDir, file), 'utf8'),
          })),
        ),
      ),
    )
  await mkdir(path.join(clientDir, dictionaryFolder), { recursive: true })
  const target = path.join(clientDir, dictionary.href)
  if (reused && reuseFrom) await copyFile(path.join(reuseFrom, reused.href), target)
  else await writeFile(target, dictionary.bytes)
  const link = `<link rel="compression-dictionary" href="${dictionary.href}">`
  // A few pages at a time: a site of 100,000 businesses is never held in memory at once.
  const queue = files.values()
  const announce = async () => {
    for (const file of queue) {
      const full = path.join(clientDir, file)
      const html = await readFile(full, 'utf8')
      if (html.includes('</head>')) await writeFile(full, html.replace('</head>', `${link}</head>`))
    }
  }
  await Promise.all(Array.from({ length: 8 }, announce))
  return dictionary
}

/**
 * Pages read to make the dictionary: of each kind, at most `samplePerKind` spread evenly over
 * the kind in name order (its middle one among them). Templates show in a few dozen pages as
 * well as in all of them, and a site of 100,000 businesses is read in milliseconds, not minutes.
 */
export function samplePages(files: readonly string[], samplePerKind = 24): string[] {
  const kinds = new Map<string, string[]>()
  for (const file of [...files].sort()) {
    const same = kinds.get(kindOf(file))
    if (same) same.push(file)
    else kinds.set(kindOf(file), [file])
  }
  return [...kinds.values()].flatMap((same) => {
    if (same.length <= samplePerKind) return same
    const picked = new Set([same[Math.floor(same.length / 2)]!])
    const step = same.length / samplePerKind
    for (let i = 0; picked.size < samplePerKind && i < samplePerKind; i++) {
      picked.add(same[Math.floor(i * step)]!)
    }
    return [...picked]
  })
}

/** Built folders never change, so each one's dictionary is read once. */
const served = new Map<string, SiteDictionary | null>()

/** The dictionary of the build being served from `clientDir`, if it has one. */
export function servedDictionary(clientDir: string): SiteDictionary | undefined {
  let known = served.get(clientDir)
  if (known === undefined) {
    let names: string[] = []
    try {
      names = readdirSync(path.join(clientDir, dictionaryFolder))
    } catch {
      // A build without pages has no dictionary.
    }
    const name = names.find((n) => /^site-[0-9a-f]{16}\.dict$/.test(n))
    known = name
      ? siteDictionaryOf(readFileSync(path.join(clientDir, dictionaryFolder, name)))
      : null
    // A few builds at most are served in a process's life between restarts; keep the newest.
    if (served.size >= 8) served.delete(served.keys().next().value ?? '')
    served.set(clientDir, known)
  }
  return known ?? undefined
}

/** Whether a request's path is under the dictionaries' folder. */
export const isDictionaryPath = (pathname: string) => pathname.startsWith(`/${dictionaryFolder}/`)
