import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http'
import zlib from 'node:zlib'
import {
  chooseCoding,
  compressFromBytes,
  isCompressibleType,
  type Coding,
} from './content-coding.ts'

/**
 * Dynamic answers (on-demand pages, /api) are compressed as they are written. Brotli at quality
 * 5 and gzip at level 6 keep the cost per response near a millisecond for the pages we render;
 * the static pages were compressed once, at the highest settings, when they were built
 * (server/precompress.ts), and are served from those files (server/precompressed-files.ts).
 */
const brotliQuality = 5
const gzipLevel = 6

function compressor(coding: Coding, sizeHint: number | undefined) {
  if (coding === 'gzip') return zlib.createGzip({ level: gzipLevel })
  return zlib.createBrotliCompress({
    params: {
      [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
      [zlib.constants.BROTLI_PARAM_QUALITY]: brotliQuality,
      ...(sizeHint ? { [zlib.constants.BROTLI_PARAM_SIZE_HINT]: sizeHint } : {}),
    },
  })
}

/** Adds `name` (Accept-Encoding, Available-Dictionary) to Vary once, keeping what is there. */
export function varyOn(res: ServerResponse, name: string) {
  const current = res.getHeader('Vary')
  const names = (Array.isArray(current) ? current.join(',') : String(current ?? ''))
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean)
  if (names.some((n) => n === '*' || n.toLowerCase() === name.toLowerCase())) return
  res.setHeader('Vary', [...names, name].join(', '))
}

/** Headers given to writeHead, set on the response so they can be read before they are sent. */
function adoptHeaders(res: ServerResponse, headers: OutgoingHttpHeaders | unknown[] | undefined) {
  if (!headers) return
  if (Array.isArray(headers)) {
    for (let i = 0; i + 1 < headers.length; i += 2) {
      res.appendHeader(String(headers[i]), headers[i + 1] as string | string[])
    }
    return
  }
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) res.setHeader(name, value)
  }
}

type Chunk = string | Uint8Array
type Callback = (error?: Error | null) => void

/**
 * Makes `res` compress its body when the client accepts brotli or gzip and the body is text of
 * a kilobyte or more. Decided when the headers are written, from the status and headers the
 * handler chose: a body that is already coded (an /api route that gzips its own JSON, a
 * precompressed file), a partial one (206), one marked no-transform, or a photo passes as it is.
 * Every text answer says `Vary: Accept-Encoding`; a compressed one drops Content-Length (the
 * length is unknown until the end) and its ETag becomes weak, since its bytes differ from the
 * identity answer's. Cache headers are the handler's.
 */
export function compressResponses(req: IncomingMessage, res: ServerResponse): void {
  const coding = chooseCoding(req.headers['accept-encoding'])
  const head = req.method === 'HEAD'
  const writeHead = res.writeHead.bind(res) as (status: number, reason?: string) => ServerResponse
  // The response's own methods, called on it with the arguments the handler gave.
  const originalWrite = res.write.bind(res) as (...args: unknown[]) => boolean
  const originalEnd = res.end.bind(res) as (...args: unknown[]) => ServerResponse
  const write = (chunk: Buffer) => originalWrite(chunk)
  const end = () => originalEnd()
  let decided = false
  let written = false
  let stream: zlib.Gzip | zlib.BrotliCompress | undefined

  const decide = (status: number) => {
    decided = true
    if (!isCompressibleType(res.getHeader('Content-Type')?.toString())) return
    varyOn(res, 'Accept-Encoding')
    if (!coding || status < 200 || status === 204 || status === 206 || status === 304) return
    if (res.getHeader('Content-Encoding') || res.getHeader('Content-Range')) return
    if (/\bno-transform\b/i.test(String(res.getHeader('Cache-Control') ?? ''))) return
    const length = Number(res.getHeader('Content-Length') ?? Number.NaN)
    if (length < compressFromBytes) return
    res.setHeader('Content-Encoding', coding)
    res.removeHeader('Content-Length')
    const etag = res.getHeader('ETag')
    if (typeof etag === 'string' && !etag.startsWith('W/')) res.setHeader('ETag', `W/${etag}`)
    if (head) return
    const compressed = compressor(coding, Number.isFinite(length) ? length : undefined)
    compressed.on('data', (chunk: Buffer) => {
      if (!write(chunk)) compressed.pause()
    })
    compressed.on('end', () => end())
    compressed.on('error', (error) => res.destroy(error))
    // A writer waiting on the response hears the compressor drain; the compressor waits on the
    // socket. A client that leaves takes the compressor with it.
    compressed.on('drain', () => res.emit('drain'))
    res.on('drain', () => compressed.resume())
    res.on('close', () => compressed.destroy())
    stream = compressed
  }

  res.writeHead = function (
    this: ServerResponse,
    status: number,
    reasonOrHeaders?: string | OutgoingHttpHeaders | unknown[],
    maybeHeaders?: OutgoingHttpHeaders | unknown[],
  ) {
    const reason = typeof reasonOrHeaders === 'string' ? reasonOrHeaders : undefined
    adoptHeaders(res, typeof reasonOrHeaders === 'string' ? maybeHeaders : reasonOrHeaders)
    if (!decided) decide(status)
    return writeHead(status, reason)
  }

  const startHeaders = () => {
    if (!decided && !res.headersSent) res.writeHead(res.statusCode)
  }
  const bytesOf = (chunk: Chunk, encoding: BufferEncoding | undefined) =>
    typeof chunk === 'string' ? Buffer.from(chunk, encoding ?? 'utf8') : chunk

  res.write = function (
    chunk: Chunk,
    encodingOrCallback?: BufferEncoding | Callback,
    maybeCallback?: Callback,
  ) {
    const encoding = typeof encodingOrCallback === 'string' ? encodingOrCallback : undefined
    const callback = typeof encodingOrCallback === 'function' ? encodingOrCallback : maybeCallback
    startHeaders()
    written = true
    // eslint-disable-next-line prefer-rest-params -- passed on exactly as the handler gave them
    if (!stream) return originalWrite(...(arguments as unknown as unknown[]))
    return stream.write(bytesOf(chunk, encoding), callback)
  } as ServerResponse['write']

  res.end = function (
    chunkOrCallback?: Chunk | (() => void),
    encodingOrCallback?: BufferEncoding | (() => void),
    maybeCallback?: () => void,
  ) {
    const chunk = typeof chunkOrCallback === 'function' ? undefined : chunkOrCallback
    const encoding = typeof encodingOrCallback === 'string' ? encodingOrCallback : undefined
    const callback = [chunkOrCallback, encodingOrCallback, maybeCallback].find(
      (arg): arg is () => void => typeof arg === 'function',
    )
    // A body given whole has a known length, so a small one is left as it is.
    const status = res.statusCode
    if (
      chunk !== undefined &&
      !decided &&
      !res.headersSent &&
      !written &&
      !head &&
      status !== 204 &&
      status !== 304 &&
      !res.hasHeader('Content-Length')
    ) {
      res.setHeader('Content-Length', Buffer.byteLength(bytesOf(chunk, encoding)))
    }
    startHeaders()
    // eslint-disable-next-line prefer-rest-params -- passed on exactly as the handler gave them
    if (!stream) return originalEnd(...(arguments as unknown as unknown[]))
    if (callback) res.once('finish', callback)
    if (chunk !== undefined && !head) stream.end(bytesOf(chunk, encoding))
    else stream.end()
    return res
  } as ServerResponse['end']
}
