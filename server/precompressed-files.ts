import { statSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import path from 'node:path'
import send from 'send'
import { varyOn } from './compress-responses.ts'
import {
  acceptedCodings,
  acceptedDictionaryCodings,
  codingSuffix,
  compressibleFileTypes,
} from './content-coding.ts'
import { availableDictionaryHash } from './dictionary-coding.ts'
import { dictionaryCopySuffix } from './precompress.ts'
import { isDictionaryPath, servedDictionary, type SiteDictionary } from './site-dictionary.ts'

const isFile = (file: string) => {
  try {
    return statSync(file).isFile()
  } catch {
    return false
  }
}

/**
 * The built file a request names, as the node adapter's static handler finds it (a folder
 * means its index.html; trailingSlash is 'ignore'), or undefined for anything it would not serve
 * as a file: outside the build, a dot-file, not text.
 */
function builtFile(clientDir: string, pathname: string): string | undefined {
  if (pathname.includes('\0') || pathname.split('/').some((part) => part.startsWith('.'))) {
    return undefined
  }
  const file = path.join(clientDir, pathname)
  if (file !== clientDir && !file.startsWith(clientDir + path.sep)) return undefined
  const candidate = pathname.endsWith('/') ? path.join(file, 'index.html') : file
  const resolved =
    !pathname.endsWith('/') && !isFile(candidate) ? path.join(file, 'index.html') : candidate
  return compressibleFileTypes.has(path.extname(resolved)) ? resolved : undefined
}

/** The path a request names, decoded as the adapter decodes it (an encoded slash stays one). */
function pathnameOf(url: string): string | undefined {
  try {
    return decodeURI(url.split(/[?#]/, 1)[0] ?? '/')
  } catch {
    return undefined
  }
}

/**
 * Sends the built file `relative` (a copy in `coding`, or the file itself) with `send`, as the
 * adapter sends the original: Cache-Control, Last-Modified and conditional answers; the ETag
 * comes from the file's own size, so each coding has its own.
 */
function sendFile(
  clientDir: string,
  req: IncomingMessage,
  res: ServerResponse,
  relative: string,
  immutable: boolean,
) {
  const stream = send(req, `/${relative}`, { root: clientDir, index: false })
  stream.on('stream', () => {
    // As the adapter does for Astro's hashed bundles (@astrojs/node serve-static).
    if (immutable) res.setHeader('Cache-Control', 'public, max-age=31536000, immutable')
  })
  stream.on('error', (error: Error & { statusCode?: number }) => {
    if (res.headersSent) return void res.destroy(error)
    res.statusCode = error.statusCode ?? 500
    res.end()
  })
  stream.pipe(res)
}

const relativeTo = (clientDir: string, file: string) =>
  path.relative(clientDir, file).split(path.sep).join('/')

/**
 * The site's dictionary (RFC 9842 §2.1): kept by the browser for every page of the site it
 * navigates to (`match-dest` document), named by its hash and cached for a year, as it never
 * changes under its name. A range of it, or a client without a coding, gets the file itself.
 */
function serveDictionary(
  clientDir: string,
  dictionary: SiteDictionary,
  req: IncomingMessage,
  res: ServerResponse,
) {
  const file = path.join(clientDir, dictionary.href)
  const coding = req.headers.range
    ? undefined
    : acceptedCodings(req.headers['accept-encoding']).find((c) => isFile(file + codingSuffix[c]))
  res.setHeader('Content-Type', 'application/octet-stream')
  res.setHeader('Use-As-Dictionary', `match="/*", match-dest=("document"), id="${dictionary.id}"`)
  varyOn(res, 'Accept-Encoding')
  if (coding) res.setHeader('Content-Encoding', coding)
  sendFile(
    clientDir,
    req,
    res,
    relativeTo(clientDir, file + (coding ? codingSuffix[coding] : '')),
    true,
  )
}

/**
 * Answers a GET or HEAD for a built text file with its precompressed copy (server/precompress.ts)
 * in the coding the client prefers, and returns true; returns false to let the site's own
 * handler answer (no copy, nothing accepted, or a Range request, which is served from the
 * identity file). A page goes compressed against the site's dictionary (dcb, dcz) to a client
 * that names that dictionary in Available-Dictionary; any other dictionary, an older build's
 * among them, gets brotli or gzip. The copy has the original's type, and the
 * dictionary itself is answered here too.
 */
export function servePrecompressed(
  clientDir: string,
  req: IncomingMessage,
  res: ServerResponse,
): boolean {
  if ((req.method !== 'GET' && req.method !== 'HEAD') || !req.url) return false
  const pathname = pathnameOf(req.url)
  if (pathname === undefined) return false
  const dictionary = servedDictionary(clientDir)
  if (isDictionaryPath(pathname)) {
    if (pathname !== dictionary?.href) return false
    serveDictionary(clientDir, dictionary, req, res)
    return true
  }
  if (req.headers.range) return false
  const codings = acceptedCodings(req.headers['accept-encoding'])
  const dictionaryCodings = acceptedDictionaryCodings(req.headers['accept-encoding'])
  if (codings.length === 0 && dictionaryCodings.length === 0) return false
  const file = builtFile(clientDir, pathname)
  if (!file || !isFile(file)) return false
  const held = availableDictionaryHash(req.headers['available-dictionary'])
  const pageDictionary =
    dictionary && isFile(file + dictionaryCopySuffix('dcb', dictionary)) ? dictionary : undefined
  const suffixes = [
    ...(pageDictionary && held?.equals(pageDictionary.hash)
      ? dictionaryCodings.map((c) => [c, dictionaryCopySuffix(c, pageDictionary)] as const)
      : []),
    ...codings.map((c) => [c, codingSuffix[c]] as const),
  ]
  const chosen = suffixes.find(([, suffix]) => isFile(file + suffix))
  if (!chosen) return false
  const [coding, suffix] = chosen
  const type = compressibleFileTypes.get(path.extname(file))
  if (type) res.setHeader('Content-Type', type)
  res.setHeader('Content-Encoding', coding)
  varyOn(res, 'Accept-Encoding')
  // The same page comes in other bytes to a client holding the dictionary.
  if (pageDictionary) varyOn(res, 'Available-Dictionary')
  const relative = relativeTo(clientDir, file + suffix)
  sendFile(clientDir, req, res, relative, relative.startsWith('_astro/'))
  return true
}
