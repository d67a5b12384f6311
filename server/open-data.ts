import type { IncomingMessage, ServerResponse } from 'node:http'
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import type { Deps } from '../api/deps.ts'
import { openDataFile } from '../api/services/open-data/files.ts'

/** The paths this adapter answers; anything else goes on to the site. */
const openDataPath = /^\/data\/(directory\.(csv|json)|statistics\.json|statistics\/[^/]+\.csv)$/

/**
 * Revalidated after a minute: a repeated download costs the version query and a 304, while a
 * change reaches readers within the minute.
 */
const cacheControl = 'public, max-age=60, must-revalidate'

/**
 * Serves the open-data downloads (issue 24, item 5) on demand, here rather than through an Astro
 * endpoint: the node adapter writes a Response body without waiting for the socket to drain, so
 * a slow client would make it buffer the whole directory. `pipeline` writes a page, waits for
 * 'drain' (which compressResponses passes on from its compressor), asks for the next page, and
 * stops reading the database when the client leaves. Returns false for other paths.
 */
export function serveOpenData(deps: Deps, req: IncomingMessage, res: ServerResponse): boolean {
  const pathname = (req.url ?? '/').split(/[?#]/, 1)[0] ?? '/'
  if (!openDataPath.test(pathname) || (req.method !== 'GET' && req.method !== 'HEAD')) return false
  void answer(deps, pathname, req, res).catch((error: unknown) => {
    // A client that leaves mid-download is no failure of ours: the reading has stopped.
    if ((error as { code?: string }).code === 'ERR_STREAM_PREMATURE_CLOSE') return
    deps.logger.error({ err: error, path: pathname }, 'open-data download failed')
    if (!res.headersSent) {
      res.statusCode = 500
      res.setHeader('Content-Type', 'text/plain; charset=utf-8')
      res.end('数据文件暂时无法生成，请稍后再试。')
    } else res.destroy()
  })
  return true
}

async function answer(deps: Deps, pathname: string, req: IncomingMessage, res: ServerResponse) {
  const file = await openDataFile({
    ctx: deps,
    input: { path: pathname, ifNoneMatch: req.headers['if-none-match'] },
  })
  if (!file) {
    res.statusCode = 404
    res.setHeader('Content-Type', 'text/plain; charset=utf-8')
    res.end('没有这个数据文件。数据文件列表见 /data/')
    return
  }
  res.setHeader('ETag', file.etag)
  res.setHeader('Cache-Control', cacheControl)
  res.setHeader('Link', `<${file.licenceUrl}>; rel="license"`)
  if (file.lastModified) res.setHeader('Last-Modified', file.lastModified.toUTCString())
  if (!file.body) {
    res.statusCode = 304
    res.end()
    return
  }
  res.statusCode = 200
  res.setHeader('Content-Type', file.contentType)
  if (file.contentType.startsWith('text/csv')) {
    res.setHeader('Content-Disposition', `attachment; filename="${file.filename}"`)
  }
  if (req.method === 'HEAD') {
    res.end()
    return
  }
  await pipeline(Readable.from(file.body, { objectMode: false }), res)
}
