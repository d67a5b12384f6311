import { createHash } from 'node:crypto'
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import path from 'node:path'
import zlib from 'node:zlib'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { compressResponses } from '../../server/compress-responses.ts'
import { acceptedDictionaryCodings } from '../../server/content-coding.ts'
import {
  availableDictionaryHash,
  availableDictionaryHeader,
  dictionaryDecompress,
  type Dictionary,
} from '../../server/dictionary-coding.ts'
import { precompressBuild } from '../../server/precompress.ts'
import { servePrecompressed } from '../../server/precompressed-files.ts'
import {
  makeSiteDictionary,
  samplePages,
  writeSiteDictionary,
} from '../../server/site-dictionary.ts'
import { decoded, rawRequest, type RawAnswer } from '../support/coded-http.ts'

/**
 * Issue 23: a static page travels in at most 30 % of its size. Short pages of unique Chinese
 * text cannot with brotli alone; against a dictionary of the site's shared markup (RFC 9842)
 * they can. These tests build a small site, make its dictionary and serve it as the product does.
 */

const shell = (title: string, main: string) =>
  `<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>${title} · 丽水诚信计量</title>` +
  `<link rel="stylesheet" href="/care.css"></head><body><header class="site-header"><a class="brand" href="/">` +
  `<span class="brand-name">丽水诚信计量</span><span class="brand-owner">丽水市市场监督管理局</span></a>` +
  `<nav class="site-nav" aria-label="主导航"><ul><li><a href="/">首页</a></li>` +
  `<li><a href="/enterprises/">诚信计量单位名录</a></li><li><a href="/search">搜索</a></li>` +
  `<li><a href="/notices/">公告</a></li><li><a href="/complaints/new">投诉举报</a></li></ul></nav>` +
  `</header><main id="main" class="wrap">${main}</main><footer class="site-footer"><p>丽水市市场监督管理局主办 · 诚信计量公开平台</p>` +
  `<p>发现缺斤短两、计量作弊等行为，请拨打 12345 政务服务便民热线反映。</p></footer></body></html>\n`

const counties = [
  '莲都区',
  '青田县',
  '缙云县',
  '遂昌县',
  '松阳县',
  '云和县',
  '庆元县',
  '景宁畲族自治县',
]
/** A business page: the template's headings and labels around this business's own facts. */
const businessPage = (i: number) =>
  shell(
    `${counties[i % counties.length]}第${i}号农贸市场`,
    `<h1>${counties[i % counties.length]}第${i}号农贸市场</h1><p class="lead">是丽水市诚信计量单位，有效期至2027年${(i % 12) + 1}月30日</p>` +
      `<h2>基本信息</h2><dl><dt>认定状态</dt><dd>有效</dd><dt>统一社会信用代码</dt><dd>91331100MA2${String(i).padStart(5, '0')}X</dd>` +
      `<dt>地址</dt><dd>丽水市${counties[i % counties.length]}第${i * 7}号路${i * 13}号</dd></dl>` +
      `<h2>信用记录</h2><p>评为 A 需具备以下三项中的两项：认定有效、已签署承诺、近 24 个月内检查合格。</p>` +
      `<h2>监督检查</h2><p>近期没有公开的监督检查记录。</p><h2>投诉举报查实</h2><p>近期没有查实的投诉举报。</p>`.repeat(
        2,
      ),
  )
const businesses = Array.from({ length: 12 }, (_, i) => businessPage(i + 1))
/** The one page no other shares its words with: only the template may help it. */
const privateWords = '此段文字只出现在一页上，绝不能进入字典。'
const notice = shell(
  '计量器具强制检定公告',
  `<article><h1>计量器具强制检定公告</h1><p>${privateWords}</p>${'<p>集贸市场在用的电子计价秤、加油机应当按期申请强制检定。</p>'.repeat(20)}</article>`,
)

let server: http.Server
let base: string
let clientDir: string
let dictionary: Dictionary & { id: string; href: string }

const pagePath = (i: number) => `/enterprises/e${i}/`
const browserAccept = 'gzip, deflate, br, zstd, dcb, dcz'

async function writeSite(dir: string, pages: Record<string, string>) {
  for (const [url, html] of Object.entries(pages)) {
    await mkdir(path.join(dir, url), { recursive: true })
    await writeFile(path.join(dir, url, 'index.html'), html)
  }
  await mkdir(path.join(dir, '_astro'), { recursive: true })
  await writeFile(path.join(dir, '_astro', 'site.css'), 'body{margin:0}\n'.repeat(200))
}

const sitePages = (): Record<string, string> => ({
  ...Object.fromEntries(businesses.map((html, i) => [pagePath(i + 1), html])),
  '/notices/n1/': notice,
})

function serve(dir: string) {
  return (req: http.IncomingMessage, res: http.ServerResponse) => {
    compressResponses(req, res)
    if (!servePrecompressed(dir, req, res)) {
      res.writeHead(404, { 'Content-Type': 'text/plain' })
      res.end('identity fallback')
    }
  }
}

beforeAll(async () => {
  clientDir = await mkdtemp(path.join(tmpdir(), 'dictionary-'))
  await writeSite(clientDir, sitePages())
  const made = await writeSiteDictionary(clientDir)
  if (!made) throw new Error('no dictionary made')
  dictionary = made
  await precompressBuild(clientDir, undefined, dictionary)
  server = http.createServer((req, res) => serve(clientDir)(req, res))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})

afterAll(async () => {
  await new Promise((resolve) => server.close(resolve))
  await rm(clientDir, { recursive: true, force: true })
})

const get = (url: string, headers: Record<string, string> = {}, method = 'GET') =>
  rawRequest(`${base}${url}`, headers, method)
const withDictionary = (accept = browserAccept) => ({
  'Accept-Encoding': accept,
  'Available-Dictionary': availableDictionaryHeader(dictionary),
})
const vary = (answer: RawAnswer) =>
  (answer.headers.vary ?? '').split(',').map((name) => name.trim().toLowerCase())

describe('the site dictionary', () => {
  it('holds the markup three or more pages share and none of one page’s own words', () => {
    const text = dictionary.bytes.toString()
    expect(text).toContain('丽水市市场监督管理局主办 · 诚信计量公开平台')
    expect(text).toContain('<h2>信用记录</h2>')
    expect(text).not.toContain(privateWords)
    expect(text).not.toContain('第7号农贸市场')
    expect(dictionary.bytes.length).toBeLessThanOrEqual(64 * 1024)
    // Same pages, same dictionary: a rebuild of unchanged pages changes nothing.
    const again = makeSiteDictionary(
      Object.entries(sitePages()).map(([url, html]) => ({
        path: `${url.slice(1)}index.html`,
        html,
      })),
    )
    expect(again.equals(dictionary.bytes)).toBe(true)
  })

  it('is named by its hash, announced in every page, and gives pages alone their dcb and dcz copies', async () => {
    const hash = createHash('sha256').update(dictionary.bytes).digest()
    expect(dictionary.hash.equals(hash)).toBe(true)
    expect(dictionary.href).toBe(`/_dict/site-${hash.toString('hex').slice(0, 16)}.dict`)
    const onDisk = await readFile(path.join(clientDir, dictionary.href))
    expect(onDisk.equals(dictionary.bytes)).toBe(true)
    const page = await readFile(path.join(clientDir, 'enterprises', 'e3', 'index.html'), 'utf8')
    expect(page).toContain(`<link rel="compression-dictionary" href="${dictionary.href}"></head>`)
    expect((await readdir(path.join(clientDir, 'enterprises', 'e3'))).sort()).toEqual(
      [
        'index.html',
        'index.html.br',
        `index.html.${dictionary.id}.dcb`,
        `index.html.${dictionary.id}.dcz`,
        'index.html.gz',
      ].sort(),
    )
    expect((await readdir(path.join(clientDir, '_astro'))).sort()).toEqual([
      'site.css',
      'site.css.br',
      'site.css.gz',
    ])
  })

  it('is served for every page of the site to navigate with, cached for a year', async () => {
    const answer = await get(dictionary.href, { 'Accept-Encoding': 'gzip, br' })
    expect(answer.status).toBe(200)
    expect(answer.headers['use-as-dictionary']).toBe(
      `match="/*", match-dest=("document"), id="${dictionary.id}"`,
    )
    expect(answer.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(answer.headers['content-encoding']).toBe('br')
    expect(decoded(answer).equals(dictionary.bytes)).toBe(true)
    const plain = await get(dictionary.href)
    expect(plain.headers['use-as-dictionary']).toBe(answer.headers['use-as-dictionary'])
    expect(plain.body.equals(dictionary.bytes)).toBe(true)
    const range = await get(dictionary.href, { 'Accept-Encoding': 'br', Range: 'bytes=0-9' })
    expect(range.status).toBe(206)
    expect(range.body.equals(dictionary.bytes.subarray(0, 10))).toBe(true)
    const other = await get('/_dict/site-0000000000000000.dict', { 'Accept-Encoding': 'br' })
    expect(decoded(other).toString()).toBe('identity fallback')
  })
})

describe('pages compressed against the dictionary', () => {
  it('accepts dcb and dcz only where the client names them', () => {
    expect(acceptedDictionaryCodings(browserAccept)).toEqual(['dcb', 'dcz'])
    expect(acceptedDictionaryCodings('br, dcz')).toEqual(['dcz'])
    expect(acceptedDictionaryCodings('dcb;q=0.5, dcz')).toEqual(['dcz', 'dcb'])
    expect(acceptedDictionaryCodings('*')).toEqual([])
    expect(acceptedDictionaryCodings('dcb;q=0, br')).toEqual([])
    expect(availableDictionaryHash(availableDictionaryHeader(dictionary))).toEqual(dictionary.hash)
    expect(availableDictionaryHash(dictionary.hash.toString('base64'))).toBeUndefined()
    expect(availableDictionaryHash(':AAAA:')).toBeUndefined()
  })

  it('sends dcb to a client holding the dictionary: header, hash, then brotli against it', async () => {
    for (const i of [1, 6, 12]) {
      const html = await readFile(path.join(clientDir, 'enterprises', `e${i}`, 'index.html'))
      const answer = await get(pagePath(i), withDictionary())
      expect(answer.status).toBe(200)
      expect(answer.headers['content-encoding']).toBe('dcb')
      expect(answer.headers['content-type']).toBe('text/html; charset=utf-8')
      expect(answer.headers['content-length']).toBe(String(answer.body.length))
      expect(vary(answer)).toEqual(
        expect.arrayContaining(['accept-encoding', 'available-dictionary']),
      )
      expect([...answer.body.subarray(0, 4)]).toEqual([0xff, 0x44, 0x43, 0x42])
      expect(answer.body.subarray(4, 36).equals(dictionary.hash)).toBe(true)
      const stream = answer.body.subarray(36)
      const options = { dictionary: dictionary.bytes } as zlib.BrotliOptions
      expect(zlib.brotliDecompressSync(stream, options).equals(html)).toBe(true)
      expect(() => zlib.brotliDecompressSync(stream)).toThrow()
      const br = await get(pagePath(i), { 'Accept-Encoding': browserAccept })
      expect(br.headers['content-encoding']).toBe('br')
      expect(answer.body.length).toBeLessThan(br.body.length * 0.5)
      expect(answer.body.length).toBeLessThan(html.length * 0.3)
    }
  })

  it('sends dcz to a client that takes only that: a skippable frame with the hash, then zstd', async () => {
    const html = await readFile(path.join(clientDir, 'notices', 'n1', 'index.html'))
    const answer = await get('/notices/n1/', withDictionary('br, gzip, dcz'))
    expect(answer.headers['content-encoding']).toBe('dcz')
    expect([...answer.body.subarray(0, 8)]).toEqual([0x5e, 0x2a, 0x4d, 0x18, 0x20, 0, 0, 0])
    expect(answer.body.subarray(8, 40).equals(dictionary.hash)).toBe(true)
    const stream = answer.body.subarray(40)
    expect(zlib.zstdDecompressSync(stream, { dictionary: dictionary.bytes }).equals(html)).toBe(
      true,
    )
    expect(dictionaryDecompress('dcz', answer.body, dictionary).equals(html)).toBe(true)
    const br = await get('/notices/n1/', { 'Accept-Encoding': 'br' })
    expect(answer.body.length).toBeLessThan(br.body.length)
  })

  it('gives each coding its own ETag, answers If-None-Match with 304 and HEAD without a body', async () => {
    const dcb = await get(pagePath(2), withDictionary())
    const br = await get(pagePath(2), { 'Accept-Encoding': 'br' })
    expect(dcb.headers.etag).toBeTruthy()
    expect(dcb.headers.etag).not.toBe(br.headers.etag)
    const again = await get(pagePath(2), {
      ...withDictionary(),
      'If-None-Match': dcb.headers.etag ?? '',
    })
    expect(again.status).toBe(304)
    expect(again.body.length).toBe(0)
    const head = await get(pagePath(2), withDictionary(), 'HEAD')
    expect(head.headers['content-encoding']).toBe('dcb')
    expect(head.headers['content-length']).toBe(dcb.headers['content-length'])
    expect(head.body.length).toBe(0)
  })

  it('falls back to brotli for another dictionary, a malformed header or no dictionary coding', async () => {
    const other = `:${createHash('sha256').update('an older build').digest('base64')}:`
    for (const headers of [
      { 'Accept-Encoding': browserAccept, 'Available-Dictionary': other },
      { 'Accept-Encoding': browserAccept, 'Available-Dictionary': dictionary.hash.toString('hex') },
      { 'Accept-Encoding': browserAccept },
      {
        'Accept-Encoding': 'gzip, br',
        'Available-Dictionary': availableDictionaryHeader(dictionary),
      },
    ]) {
      const answer = await get(pagePath(4), headers)
      expect(answer.headers['content-encoding']).toBe('br')
      expect(vary(answer)).toContain('available-dictionary')
      expect(decoded(answer).toString()).toBe(
        await readFile(path.join(clientDir, 'enterprises', 'e4', 'index.html'), 'utf8'),
      )
    }
    const gzip = await get(pagePath(4), withDictionary('gzip'))
    expect(gzip.headers['content-encoding']).toBe('gzip')
  })

  it('leaves a Range request to the site, as it does for brotli', async () => {
    const answer = await get(pagePath(5), { ...withDictionary(), Range: 'bytes=0-10' })
    expect(decoded(answer).toString()).toBe('identity fallback')
  })
})

describe('a rebuild', () => {
  it('keeps the dictionary and its copies when the sources are the same', async () => {
    const next = await mkdtemp(path.join(tmpdir(), 'dictionary-next-'))
    try {
      const pages = sitePages()
      pages[pagePath(3)] = businessPage(3).replace('有效期至', '认定有效期至')
      await writeSite(next, pages)
      const kept = await writeSiteDictionary(next, clientDir)
      expect(kept?.id).toBe(dictionary.id)
      const totals = await precompressBuild(next, clientDir, kept)
      // 13 pages of 4 copies, the stylesheet's 2, the dictionary's 2; one page redone.
      expect(totals).toEqual({ copies: 13 * 4 + 2 + 2, reused: 12 * 4 + 2 + 2 })
      const dcb = await readFile(
        path.join(next, 'enterprises', 'e3', `index.html.${dictionary.id}.dcb`),
      )
      const html = await readFile(path.join(next, 'enterprises', 'e3', 'index.html'))
      expect(dictionaryDecompress('dcb', dcb, dictionary).equals(html)).toBe(true)
    } finally {
      await rm(next, { recursive: true, force: true })
    }
  })

  it('keeps the served dictionary when the sources are the same, even where the data moved', async () => {
    const next = await mkdtemp(path.join(tmpdir(), 'dictionary-kept-'))
    try {
      const pages = Object.fromEntries(
        Object.entries(sitePages()).map(([url, html]) => [url, html.replaceAll('有效', '生效')]),
      )
      await writeSite(next, pages)
      const fresh = makeSiteDictionary(
        Object.entries(pages).map(([url, html]) => ({ path: `${url.slice(1)}index.html`, html })),
      )
      expect(fresh.equals(dictionary.bytes)).toBe(false)
      const kept = await writeSiteDictionary(next, clientDir)
      expect(kept?.id).toBe(dictionary.id)
      expect((await readFile(path.join(next, dictionary.href))).equals(dictionary.bytes)).toBe(true)
    } finally {
      await rm(next, { recursive: true, force: true })
    }
  })

  it('with new sources makes a new dictionary; a client holding the old one gets brotli', async () => {
    const next = await mkdtemp(path.join(tmpdir(), 'dictionary-new-'))
    const nextServer = http.createServer((req, res) => serve(next)(req, res))
    try {
      const pages = Object.fromEntries(
        Object.entries(sitePages()).map(([url, html]) => [
          url,
          html.replaceAll('公开平台', '公示平台'),
        ]),
      )
      await writeSite(next, pages)
      const made = await writeSiteDictionary(next)
      if (!made) throw new Error('no dictionary made')
      expect(made.id).not.toBe(dictionary.id)
      await precompressBuild(next, clientDir, made)
      await new Promise<void>((resolve) => nextServer.listen(0, '127.0.0.1', resolve))
      const url = `http://127.0.0.1:${(nextServer.address() as AddressInfo).port}${pagePath(1)}`
      const old = await rawRequest(url, withDictionary())
      expect(old.headers['content-encoding']).toBe('br')
      expect(decoded(old).toString()).toContain(made.href)
      const fresh = await rawRequest(url, {
        'Accept-Encoding': browserAccept,
        'Available-Dictionary': availableDictionaryHeader(made),
      })
      expect(fresh.headers['content-encoding']).toBe('dcb')
      expect(dictionaryDecompress('dcb', fresh.body, made).equals(decoded(old))).toBe(true)
    } finally {
      await new Promise((resolve) => nextServer.close(resolve))
      await rm(next, { recursive: true, force: true })
    }
  })
})

describe('the pages the dictionary is made from', () => {
  const businesses = Array.from(
    { length: 1000 },
    (_, i) => `enterprises/9133${String(i).padStart(14, '0')}/index.html`,
  )
  const site = ['index.html', 'notices/index.html', 'notices/n1/index.html', ...businesses]

  it('are a few of each kind, the middle one among them, however large the site', () => {
    const sample = samplePages(site, 24)
    expect(sample.filter((file) => file.startsWith('enterprises/'))).toHaveLength(24)
    expect(sample).toContain(businesses[500])
    expect(sample).toEqual(expect.arrayContaining(['index.html', 'notices/index.html']))
    expect(sample).toContain('notices/n1/index.html')
    expect(samplePages(businesses.slice(0, 10), 24)).toHaveLength(10)
  })
})
