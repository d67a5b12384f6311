import { availableParallelism } from 'node:os'
import { readdir, readFile, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { promisify } from 'node:util'
import zlib from 'node:zlib'
import { codingSuffix, compressFromBytes, compressibleFileTypes } from './content-coding.ts'

const brotli = promisify(zlib.brotliCompress)
const gzip = promisify(zlib.gzip)

async function* textFilesUnder(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) yield* textFilesUnder(full)
    else if (entry.isFile() && compressibleFileTypes.has(path.extname(entry.name))) yield full
  }
}

/** Writes `file.br` and `file.gz` beside `file`, each only if it is smaller than the file. */
async function precompressFile(file: string): Promise<number> {
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
  let written = 0
  for (const [suffix, bytes] of [
    [codingSuffix.br, br],
    [codingSuffix.gzip, gz],
  ] as const) {
    if (bytes.length >= text.length) continue
    await writeFile(file + suffix, bytes)
    written++
  }
  return written
}

/**
 * Gives every static text file of a finished build (pages, CSS, JavaScript, RSS, open-data CSV,
 * SVG) its brotli and gzip copies, which the web server sends to clients that accept them
 * (server/precompressed-files.ts) and which a CDN or reverse proxy can send as well (nginx's
 * `gzip_static` and `brotli_static`). zlib works on libuv's thread pool, so a few files are
 * compressed at once. Returns how many copies were written.
 */
export async function precompressBuild(clientDir: string): Promise<number> {
  const files = textFilesUnder(clientDir)
  let written = 0
  const worker = async () => {
    for (;;) {
      const next = await files.next()
      if (next.done) return
      written += await precompressFile(next.value)
    }
  }
  await Promise.all(Array.from({ length: Math.max(2, availableParallelism()) }, worker))
  return written
}
