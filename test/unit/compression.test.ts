import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { Readable } from 'node:stream'
import { brotliDecompressSync, gunzipSync } from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compressResponses } from '../../server/compress-responses.ts'
import { acceptedCodings } from '../../server/content-coding.ts'
import { precompressBuild } from '../../server/precompress.ts'
import { servePrecompressed } from '../../server/precompressed-files.ts'
import { decoded, rawRequest, variesOnEncoding } from '../support/coded-http.ts'

const page = `<!doctype html><html lang="zh-CN"><body>${'<p>诚信计量 丽水 加油站</p>\n'.repeat(400)}</body></html>`
const json = JSON.stringify({
  items: Array.from({ length: 200 }, (_, i) => ({ i, name: '农贸市场' })),
})
const photo = Buffer.alloc(20_000, 7)

/** Handlers as the product's are: each answers in one of the ways a route may. */
function handle(req: http.IncomingMessage, res: http.ServerResponse) {
  const url = req.url ?? '/'
  if (url === '/page') {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' })
    res.write(page.slice(0, 1000))
    res.end(page.slice(1000))
  } else if (url === '/json') {
    res.setHeader('Content-Type', 'application/json')
    res.setHeader('ETag', '"v1"')
    res.end(json)
  } else if (url === '/tiny') {
    res.setHeader('Content-Type', 'text/plain')
    res.end('ok')
  } else if (url === '/photo') {
    res.writeHead(200, { 'Content-Type': 'image/jpeg', 'Content-Length': photo.length })
    res.end(photo)
  } else if (url === '/coded') {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' })
    res.end(Buffer.from('already coded'))
  } else if (url === '/partial') {
    res.writeHead(206, { 'Content-Type': 'text/css', 'Content-Range': 'bytes 0-1999/5000' })
    res.end('a'.repeat(2000))
  } else if (url === '/not-modified') {
    res.writeHead(304, { 'Content-Type': 'text/html', ETag: 'W/"x"' })
    res.end()
  } else if (url === '/large') {
    // Several megabytes piped: the writer must wait for the compressor and the socket.
    res.setHeader('Content-Type', 'text/csv; charset=utf-8')
    Readable.from(
      (function* () {
        for (let i = 0; i < 20_000; i++)
          yield `${i},丽水市某某农贸市场,${Math.random()}\n`.repeat(5)
      })(),
    ).pipe(res)
  } else {
    res.statusCode = 404
    res.end()
  }
}

let server: http.Server
let base: string
let clientDir: string

beforeAll(async () => {
  clientDir = await mkdtemp(path.join(tmpdir(), 'precompress-'))
  await mkdir(path.join(clientDir, 'notices'), { recursive: true })
  await mkdir(path.join(clientDir, '_astro'), { recursive: true })
  await writeFile(path.join(clientDir, 'notices', 'index.html'), page)
  await writeFile(path.join(clientDir, '_astro', 'site.css'), 'body{margin:0}\n'.repeat(200))
  await writeFile(path.join(clientDir, 'favicon.svg'), '<svg/>')
  await writeFile(path.join(clientDir, 'plaque.png'), photo)
  expect(await precompressBuild(clientDir)).toEqual({ copies: 4, reused: 0 })
  server = http.createServer((req, res) => {
    compressResponses(req, res)
    if (req.url?.startsWith('/static/')) {
      req.url = req.url.slice('/static'.length)
      if (!servePrecompressed(clientDir, req, res)) {
        res.writeHead(404, { 'Content-Type': 'text/plain' })
        res.end('identity fallback')
      }
      return
    }
    handle(req, res)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
  await rm(clientDir, { recursive: true, force: true })
})

describe('choosing a coding', () => {
  it('prefers brotli, else gzip, by the weights the client gives', () => {
    expect(acceptedCodings('gzip, deflate, br, zstd')).toEqual(['br', 'gzip'])
    expect(acceptedCodings('gzip')).toEqual(['gzip'])
    expect(acceptedCodings('br;q=0.5, gzip;q=0.8')).toEqual(['gzip', 'br'])
    expect(acceptedCodings('gzip;q=0, br;q=0')).toEqual([])
    expect(acceptedCodings('identity')).toEqual([])
    expect(acceptedCodings('*')).toEqual(['br', 'gzip'])
    expect(acceptedCodings(undefined)).toEqual([])
  })
})

describe('compressing on the fly', () => {
  it('sends brotli when accepted, gzip when only that is, and the bytes decode to the page', async () => {
    for (const [accept, coding] of [
      ['gzip, deflate, br', 'br'],
      ['gzip', 'gzip'],
    ] as const) {
      const answer = await rawRequest(`${base}/page`, { 'Accept-Encoding': accept })
      expect(answer.headers['content-encoding']).toBe(coding)
      expect(answer.headers['content-length']).toBeUndefined()
      expect(answer.headers['cache-control']).toBe('no-store')
      expect(variesOnEncoding(answer)).toBe(true)
      expect(decoded(answer).toString()).toBe(page)
      expect(answer.body.length).toBeLessThan(Buffer.byteLength(page) * 0.3)
    }
  })

  it('sends the body as it is, with Vary, to a client that accepts no coding', async () => {
    const answer = await rawRequest(`${base}/page`)
    expect(answer.headers['content-encoding']).toBeUndefined()
    expect(variesOnEncoding(answer)).toBe(true)
    expect(answer.body.toString()).toBe(page)
  })

  it('weakens the ETag of a compressed body and keeps the identity one as it was', async () => {
    const br = await rawRequest(`${base}/json`, { 'Accept-Encoding': 'br' })
    expect(br.headers.etag).toBe('W/"v1"')
    expect(JSON.parse(decoded(br).toString())).toEqual(JSON.parse(json))
    const identity = await rawRequest(`${base}/json`)
    expect(identity.headers.etag).toBe('"v1"')
    expect(identity.headers['content-length']).toBe(String(Buffer.byteLength(json)))
  })

  it('leaves tiny bodies, photos, coded, partial and not-modified answers alone', async () => {
    const accept = { 'Accept-Encoding': 'br, gzip' }
    const tiny = await rawRequest(`${base}/tiny`, accept)
    expect(tiny.headers['content-encoding']).toBeUndefined()
    expect(tiny.body.toString()).toBe('ok')
    expect(variesOnEncoding(tiny)).toBe(true)
    const image = await rawRequest(`${base}/photo`, accept)
    expect(image.headers['content-encoding']).toBeUndefined()
    expect(image.headers.vary).toBeUndefined()
    expect(image.body.equals(photo)).toBe(true)
    const coded = await rawRequest(`${base}/coded`, accept)
    expect(coded.headers['content-encoding']).toBe('gzip')
    expect(coded.body.toString()).toBe('already coded')
    const partial = await rawRequest(`${base}/partial`, accept)
    expect(partial.status).toBe(206)
    expect(partial.headers['content-encoding']).toBeUndefined()
    expect(partial.body.length).toBe(2000)
    const notModified = await rawRequest(`${base}/not-modified`, accept)
    expect(notModified.status).toBe(304)
    expect(notModified.headers['content-encoding']).toBeUndefined()
    expect(notModified.headers['content-length']).toBeUndefined()
  })

  it('answers HEAD with the headers a GET would have and no body', async () => {
    const answer = await rawRequest(`${base}/json`, { 'Accept-Encoding': 'gzip' }, 'HEAD')
    expect(answer.headers['content-encoding']).toBe('gzip')
    expect(answer.headers['content-length']).toBeUndefined()
    expect(answer.body.length).toBe(0)
  })

  it('streams a large piped body whole, waiting for the client as it reads', async () => {
    const answer = await rawRequest(`${base}/large`, { 'Accept-Encoding': 'br' })
    expect(answer.headers['content-encoding']).toBe('br')
    const lines = decoded(answer).toString().trimEnd().split('\n')
    expect(lines).toHaveLength(100_000)
    expect(lines.at(-1)).toMatch(/^19999,/)
  })
})

describe('precompressed static files', () => {
  it('writes brotli and gzip copies beside text files of a kilobyte or more only', async () => {
    expect((await readdir(path.join(clientDir, 'notices'))).sort()).toEqual([
      'index.html',
      'index.html.br',
      'index.html.gz',
    ])
    const top = await readdir(clientDir)
    expect(top).not.toContain('favicon.svg.br')
    expect(top).not.toContain('plaque.png.br')
  })

  it('takes the copies of unchanged files from the build being served, and redoes changed ones', async () => {
    const next = await mkdtemp(path.join(tmpdir(), 'precompress-next-'))
    try {
      await mkdir(path.join(next, 'notices'), { recursive: true })
      await mkdir(path.join(next, '_astro'), { recursive: true })
      const changed = page.replace('加油站', '农贸市场')
      await writeFile(path.join(next, 'notices', 'index.html'), changed)
      await writeFile(path.join(next, '_astro', 'site.css'), 'body{margin:0}\n'.repeat(200))
      expect(await precompressBuild(next, clientDir)).toEqual({ copies: 4, reused: 2 })
      const br = await readFile(path.join(next, 'notices', 'index.html.br'))
      expect(brotliDecompressSync(br).toString()).toBe(changed)
      const gz = await readFile(path.join(next, '_astro', 'site.css.gz'))
      expect(gunzipSync(gz).toString()).toBe('body{margin:0}\n'.repeat(200))
    } finally {
      await rm(next, { recursive: true, force: true })
    }
  })

  it('serves a page from its copy in the accepted coding, with the original type', async () => {
    const sizes: Record<string, number> = {}
    for (const [accept, coding] of [
      ['br, gzip', 'br'],
      ['gzip', 'gzip'],
    ] as const) {
      for (const url of ['/static/notices/', '/static/notices']) {
        const answer = await rawRequest(`${base}${url}`, { 'Accept-Encoding': accept })
        expect(answer.status).toBe(200)
        expect(answer.headers['content-encoding']).toBe(coding)
        expect(answer.headers['content-type']).toBe('text/html; charset=utf-8')
        expect(answer.headers['content-length']).toBe(String(answer.body.length))
        expect(variesOnEncoding(answer)).toBe(true)
        expect(decoded(answer).toString()).toBe(page)
        sizes[coding] = answer.body.length
      }
    }
    expect(sizes.br).toBeLessThan(sizes.gzip ?? 0)
  })

  it('gives each coding its own ETag and answers a matching If-None-Match with 304', async () => {
    const br = await rawRequest(`${base}/static/notices/`, { 'Accept-Encoding': 'br' })
    const gzip = await rawRequest(`${base}/static/notices/`, { 'Accept-Encoding': 'gzip' })
    expect(br.headers.etag).toBeTruthy()
    expect(br.headers.etag).not.toBe(gzip.headers.etag)
    const again = await rawRequest(`${base}/static/notices/`, {
      'Accept-Encoding': 'br',
      'If-None-Match': br.headers.etag ?? '',
    })
    expect(again.status).toBe(304)
    expect(again.body.length).toBe(0)
  })

  it('keeps the immutable caching of hashed assets and answers HEAD without a body', async () => {
    const css = await rawRequest(`${base}/static/_astro/site.css`, { 'Accept-Encoding': 'br' })
    expect(css.headers['content-encoding']).toBe('br')
    expect(css.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    const head = await rawRequest(
      `${base}/static/_astro/site.css`,
      { 'Accept-Encoding': 'br' },
      'HEAD',
    )
    expect(head.headers['content-length']).toBe(css.headers['content-length'])
    expect(head.body.length).toBe(0)
  })

  it('leaves Range requests, clients without a coding and dot-files to the site', async () => {
    for (const headers of [
      { 'Accept-Encoding': 'br', Range: 'bytes=0-10' },
      {} as Record<string, string>,
    ]) {
      const answer = await rawRequest(`${base}/static/notices/`, headers)
      expect(decoded(answer).toString()).toBe('identity fallback')
    }
    const escape = await rawRequest(`${base}/static/..%2F..%2Fetc%2Fpasswd`, {
      'Accept-Encoding': 'br',
    })
    expect(decoded(escape).toString()).toBe('identity fallback')
  })
})
