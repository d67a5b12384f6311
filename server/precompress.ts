import { availableParallelism } from 'node:os'
import { copyFile, readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import zlib from 'node:zlib'
import {
  codingSuffix,
  compressFromBytes,
  compressibleFileTypes,
  type DictionaryCoding,
} from './content-coding.ts'
import { dictionaryCompress } from './dictionary-coding.ts'
import type { SiteDictionary } from './site-dictionary.ts'

const brotli = promisify(zlib.brotliCompress)
const gzip = promisify(zlib.gzip)

async function* textFilesUnder(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) yield* textFilesUnder(full)
    else if (entry.isFile() && compressibleFileTypes.has(path.extname(entry.name))) yield full
  }
}

const dictionaryCodings: readonly DictionaryCoding[] = ['dcb', 'dcz']

/**
 * The suffix of a page's copy compressed against a dictionary: named by the dictionary, so a
 * copy made against another one is never taken for it.
 */
export const dictionaryCopySuffix = (coding: DictionaryCoding, dictionary: { id: string }) =>
  `.${dictionary.id}.${coding}`

/** Only pages get dictionary copies: the dictionary is announced for documents alone. */
const isPage = (file: string) => path.extname(file) === '.html'

/** Every copy `file` may have: one per coding, and one per dictionary coding for a page. */
const suffixesOf = (file: string, dictionary: SiteDictionary | undefined) => [
  ...Object.values(codingSuffix),
  ...(dictionary && isPage(file)
    ? dictionaryCodings.map((coding) => dictionaryCopySuffix(coding, dictionary))
    : []),
]

/**
 * Copies `file`'s compressed copies from the same file of an earlier build, when that file has
 * the same bytes and every copy; returns how many it copied (0 when it cannot reuse them).
 */
async function reuseCopies(
  file: string,
  earlier: string,
  dictionary: SiteDictionary | undefined,
): Promise<number> {
  try {
    const [now, before] = await Promise.all([readFile(file), readFile(earlier)])
    if (!now.equals(before)) return 0
    let copied = 0
    for (const suffix of suffixesOf(file, dictionary)) {
      await copyFile(earlier + suffix, file + suffix).then(
        () => copied++,
        () => undefined,
      )
    }
    return copied
  } catch {
    return 0
  }
}

/**
 * Writes `file.br` and `file.gz` beside `file`, and for a page its copies against the site's
 * dictionary, each only if it is smaller than the file.
 */
async function precompressFile(
  file: string,
  dictionary: SiteDictionary | undefined,
): Promise<number> {
  const text = await readFile(file)
  if (text.length < compressFromBytes) return 0
  // Once per build, so the slowest settings: brotli's best quality, gzip's best level.
  const [br, gz] = await Promise.all([
    brotli(text, {
      params: {
        [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
        [zlib.constants.BROTLI_PARAM_QUALITY]: zlib.constants.BROTLI_MAX_QUALITY,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: text.length,
      },
    }),
    gzip(text, { level: zlib.constants.Z_BEST_COMPRESSION }),
  ])
  const againstDictionary =
    dictionary && isPage(file)
      ? await Promise.all(
          dictionaryCodings.map(
            async (coding) =>
              [
                dictionaryCopySuffix(coding, dictionary),
                await dictionaryCompress(coding, text, dictionary),
              ] as const,
          ),
        )
      : []
  let written = 0
  for (const [suffix, bytes] of [
    [codingSuffix.br, br],
    [codingSuffix.gzip, gz],
    ...againstDictionary,
  ] as const) {
    if (bytes.length >= text.length) continue
    await writeFile(file + suffix, bytes)
    written++
  }
  return written
}

/**
 * Gives every static text file of a finished build (pages, CSS, JavaScript, RSS, open-data CSV,
 * SVG) its brotli and gzip copies, and every page its copies against the build's `dictionary`
 * (server/site-dictionary.ts), which the web server sends to clients that accept them
 * (server/precompressed-files.ts) and which a CDN or reverse proxy can send as well (nginx's
 * `gzip_static` and `brotli_static`). zlib works on libuv's thread pool: two files per core are
 * compressed at once, so a core never waits while one file's copies are written (the demo site's
 * 1,908 pages: 35 s cold build with one per core, 31 s with two).
 *
 * Brotli's best quality costs about 6-9 ms for a business page: some 15 ms a page with gzip on
 * two cores, minutes for tens of thousands of pages. A rebuild follows one published change and
 * most pages come out the same, so a file whose bytes equal the same file of `earlierClientDir`
 * (the build being served) takes that build's copies instead. Returns how many copies the build
 * has, and how many of them were reused.
 */
export async function precompressBuild(
  clientDir: string,
  earlierClientDir?: string,
  dictionary?: SiteDictionary,
): Promise<{ copies: number; reused: number }> {
  const files = textFilesUnder(clientDir)
  const totals = { copies: 0, reused: 0 }
  const worker = async () => {
    for (;;) {
      const next = await files.next()
      if (next.done) return
      const file = next.value
      const earlier =
        earlierClientDir && path.join(earlierClientDir, path.relative(clientDir, file))
      const reused = earlier ? await reuseCopies(file, earlier, dictionary) : 0
      const copies = reused || (await precompressFile(file, dictionary))
      totals.copies += copies
      totals.reused += reused
    }
  }
  await Promise.all(Array.from({ length: 2 * availableParallelism() }, worker))
  return totals
}
