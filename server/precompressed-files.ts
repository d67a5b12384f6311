import { statSync } from 'node:fs'
import type { IncomingMessage, ServerResponse } from 'node:http'
import path from 'node:path'
import send from 'send'
import { varyOnAcceptEncoding } from './compress-responses.ts'
import { acceptedCodings, codingSuffix, compressibleFileTypes } from './content-coding.ts'

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
function builtFile(clientDir: string, url: string): string | undefined {
  let pathname = url.split(/[?#]/, 1)[0] ?? '/'
  try {
    // As the adapter decodes it: an encoded slash stays a character of a name.
    pathname = decodeURI(pathname)
  } catch {
    return undefined
  }
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

/**
 * Answers a GET or HEAD for a built text file with its precompressed copy (server/precompress.ts)
 * in the coding the client prefers, and returns true; returns false to let the site's own
 * handler answer (no copy, nothing accepted, or a Range request, which is served from the
 * identity file). The copy is sent by `send` as the adapter sends the original: same type, same
 * Cache-Control, Last-Modified and conditional answers; its ETag comes from the copy's own size,
 * so each coding has its own.
 */
export function servePrecompressed(
  clientDir: string,
  req: IncomingMessage,
  res: ServerResponse,
): boolean {
  if ((req.method !== 'GET' && req.method !== 'HEAD') || req.headers.range || !req.url) return false
  const codings = acceptedCodings(req.headers['accept-encoding'])
  if (codings.length === 0) return false
  const file = builtFile(clientDir, req.url)
  if (!file || !isFile(file)) return false
  const coding = codings.find((c) => isFile(file + codingSuffix[c]))
  if (!coding) return false
  const type = compressibleFileTypes.get(path.extname(file))
  if (type) res.setHeader('Content-Type', type)
  res.setHeader('Content-Encoding', coding)
  varyOnAcceptEncoding(res)
  const relative = path
    .relative(clientDir, file + codingSuffix[coding])
    .split(path.sep)
    .join('/')
  const stream = send(req, `/${relative}`, { root: clientDir, index: false })
  stream.on('stream', () => {
    // As the adapter does for Astro's hashed bundles (@astrojs/node serve-static).
    if (relative.startsWith('_astro/')) {
      res.setHeader('Cache-Control', 'public, max-age=31536000, immutable')
    }
  })
  stream.on('error', (error: Error & { statusCode?: number }) => {
    if (res.headersSent) return void res.destroy(error)
    res.statusCode = error.statusCode ?? 500
    res.end()
  })
  stream.pipe(res)
  return true
}
