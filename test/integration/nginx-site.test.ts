import { readdirSync, readFileSync } from 'node:fs'
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { http2Request } from '../support/http2-client.ts'
import {
  checkNginxConf,
  renderNginxConf,
  renderNginxSite,
  selfSignedCertificate,
  startNginx,
  type RunningNginx,
} from '../support/nginx.ts'
import { freePort } from '../../scripts/stack/ports.ts'
import { startProduct, stopProcessTree, type RunningProduct } from '../support/processes.ts'

const root = path.resolve(import.meta.dirname, '../..')
const dataDir = path.join(root, '.data', 'test', `nginx-${process.pid}`)
const siteDir = path.join(dataDir, 'dist', 'current', 'client')
const searchLimit = 3
/** What the API sends (hono's secureHeaders), and nginx with every file it serves itself. */
const hsts = 'max-age=15552000; includeSubDomains'
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

let product: RunningProduct | undefined
let nginx: RunningNginx | undefined
/** The replica's count listener (OPEN_CASES_PORT), which nginx sends the count to. */
let countPort = 0

// One product as the bureau runs a replica (TRUST_PROXY, since nginx appends X-Forwarded-For),
// on embedded services in a data folder of its own, behind the bureau's nginx site.
beforeAll(async () => {
  countPort = await freePort()
  product = await startProduct({
    command: process.execPath,
    args: ['--import', 'tsx', 'scripts/start.ts'],
    cwd: root,
    dataDir,
    env: {
      DEMO_DATA: 'never',
      TRUST_PROXY: 'true',
      SEARCH_LIMIT_PER_ADDRESS: String(searchLimit),
      OPEN_CASES_PORT: String(countPort),
    },
  })
  nginx = await startNginx({
    upstreams: [new URL(product.base).host],
    countUpstreams: [`127.0.0.1:${countPort}`],
    siteDir,
    prefix: path.join(dataDir, 'nginx'),
  })
}, 300_000)

afterAll(async () => {
  await nginx?.stop()
  await stopProcessTree(product?.child, 20_000)
  await rm(dataDir, { recursive: true, force: true })
}, 60_000)

const get = (pathname: string, headers: Record<string, string> = {}, localAddress?: string) => {
  if (!nginx) throw new Error('nginx is not running')
  return http2Request(nginx.url, {
    ca: nginx.ca,
    path: pathname,
    headers,
    ...(localAddress ? { localAddress } : {}),
  })
}

/**
 * TCP sockets in TIME_WAIT with `port` at either end (/proc/net/tcp): each is a connection
 * opened and closed, which keep-alive avoids.
 */
function closedConnections(port: number): number {
  return connectionsIn('06', port)
}

/** TCP sockets in a state (/proc/net/tcp: 01 established, 06 TIME_WAIT) with `port` at either end. */
function connectionsIn(state: string, port: number): number {
  const hex = port.toString(16).toUpperCase().padStart(4, '0')
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.trim().split(/\s+/))
    .filter(
      ([, local, remote, st]) =>
        st === state && [local, remote].some((a) => a?.endsWith(`:${hex}`)),
    ).length
}

/** The headers every page carries (server/security-headers.ts), as the product sends them. */
const pageHeaderNames = [
  'content-security-policy',
  'referrer-policy',
  'x-content-type-options',
  'x-frame-options',
  'cross-origin-opener-policy',
]

describe("the bureau's nginx site (deploy/nginx/lishui-metrology.conf)", () => {
  it('passes `nginx -t` as written, with only ports, paths and replicas replaced', async () => {
    const prefix = path.join(dataDir, 'nginx-check')
    await mkdir(prefix, { recursive: true })
    await selfSignedCertificate(path.join(prefix, 'tls'))
    const site = await renderNginxSite({
      upstreams: ['127.0.0.1:4321', '127.0.0.1:4322', '127.0.0.1:4323'],
      listenPort: 8443,
      httpPort: 8080,
      certDir: path.join(prefix, 'tls'),
      siteDir,
      logDir: prefix,
    })
    expect(site).toContain('keepalive 32;')
    // The replicas, then the count's upstream: the replicas themselves when no listener is given.
    expect(
      site.match(/^ {4}server 127\.0\.0\.1:432\d max_fails=1 fail_timeout=10s;$/gm),
    ).toHaveLength(6)
    const withListeners = await renderNginxSite({
      upstreams: ['127.0.0.1:4321', '127.0.0.1:4322'],
      countUpstreams: ['127.0.0.1:4331', '127.0.0.1:4332'],
      listenPort: 8443,
      httpPort: 8080,
      certDir: path.join(prefix, 'tls'),
      siteDir,
      logDir: prefix,
    })
    // The listeners first; the replicas' web ports only while none of them answers.
    expect(withListeners).toContain(
      '    server 127.0.0.1:4331 max_fails=1 fail_timeout=10s;\n' +
        '    server 127.0.0.1:4332 max_fails=1 fail_timeout=10s;\n' +
        '    server 127.0.0.1:4321 backup;\n' +
        '    server 127.0.0.1:4322 backup;\n',
    )
    await writeFile(path.join(prefix, 'site.conf'), site)
    await writeFile(
      path.join(prefix, 'nginx.conf'),
      renderNginxConf(prefix, path.join(prefix, 'site.conf')),
    )
    const checked = await checkNginxConf(prefix, path.join(prefix, 'nginx.conf'))
    expect(checked.output).toContain('test is successful')
    expect(checked.code).toBe(0)
  })

  it('serves a page from the current build over HTTP/2: its brotli copy, a minute of cache, the page headers', async () => {
    const answer = await get('/', { 'accept-encoding': 'gzip, br' })
    expect(answer.protocol).toBe('h2')
    expect(answer.status).toBe(200)
    expect(answer.headers['content-encoding']).toBe('br')
    expect(answer.headers['content-type']).toMatch(/^text\/html/)
    expect(answer.headers['cache-control']).toBe('public, max-age=60, must-revalidate')
    expect(answer.headers['vary']).toContain('Accept-Encoding')
    expect(answer.headers['strict-transport-security']).toBe(hsts)
    // The copy the build wrote, sent by nginx from disk (its strong ETag; the product's is weak).
    expect(answer.body.equals(await readFile(path.join(siteDir, 'index.html.br')))).toBe(true)
    expect(answer.headers['etag']).toMatch(/^"[0-9a-f]+-[0-9a-f]+"$/)
    // The same security headers as the product sends with the page itself.
    const direct = await fetch(`${product?.base}/`)
    expect(direct.status).toBe(200)
    for (const name of pageHeaderNames) {
      expect(answer.headers[name], name).toBe(direct.headers.get(name))
    }
  })

  it("serves Astro's hashed bundles for a year, gzip to a client without brotli", async () => {
    const css = readdirSync(path.join(siteDir, '_astro')).find(
      (name) =>
        name.endsWith('.css') && readdirSync(path.join(siteDir, '_astro')).includes(`${name}.gz`),
    )
    expect(css, 'a stylesheet with its .gz copy').toBeDefined()
    const answer = await get(`/_astro/${css}`, { 'accept-encoding': 'gzip' })
    expect(answer.status).toBe(200)
    expect(answer.headers['content-encoding']).toBe('gzip')
    expect(answer.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(answer.body.equals(await readFile(path.join(siteDir, '_astro', `${css}.gz`)))).toBe(true)
  })

  it('passes what the build does not hold to the replica', async () => {
    const health = await get('/api/health')
    expect(health.status).toBe(200)
    expect(JSON.parse(health.body.toString())).toEqual({ status: 'ok' })
    expect(health.headers['strict-transport-security']).toBe(hsts)
    const missing = await get('/no-such-page')
    expect(missing.status).toBe(404)
    expect(missing.headers['content-type']).toMatch(/^text\/html/)
  })

  it("answers the filing form's count from its cache: one request per business reaches the replica", async () => {
    const query = new URLSearchParams({
      county: '331102',
      merchantName: `缓存测试摊位 ${process.pid}`,
      address: '莲都区缓存测试菜场',
    })
    const count = `/api/complaints/open-cases?${query.toString()}`
    // Twenty residents at once: one asks the replica, the others wait for its answer.
    const burst = await Promise.all(Array.from({ length: 20 }, () => get(count)))
    // It asked the replica's count listener, and keeps that connection open for the next.
    expect(connectionsIn('01', countPort)).toBeGreaterThanOrEqual(2)
    expect(burst.map((a) => a.status)).toEqual(Array<number>(20).fill(200))
    const statuses = burst.map((a) => a.headers['x-cache-status'])
    expect(statuses.filter((s) => s === 'MISS')).toHaveLength(1)
    expect(statuses.filter((s) => s === 'HIT')).toHaveLength(19)
    for (const answer of burst) {
      expect(JSON.parse(answer.body.toString())).toEqual({
        identified: true,
        count: 0,
        message: null,
      })
      expect(answer.headers['cache-control']).toBe('public, max-age=10')
      expect(answer.headers['strict-transport-security']).toBe(hsts)
    }
    expect((await get(count)).headers['x-cache-status']).toBe('HIT')
    // Another business is asked of the replica; a refused question is never kept.
    query.set('merchantName', `缓存测试摊位 ${process.pid} 之二`)
    expect(
      (await get(`/api/complaints/open-cases?${query.toString()}`)).headers['x-cache-status'],
    ).toBe('MISS')
    const wrong = '/api/complaints/open-cases?county=999999'
    for (let i = 0; i < 2; i++) {
      const refused = await get(wrong)
      expect(refused.status).toBe(400)
      expect(refused.headers['x-cache-status']).toBe('MISS')
    }
  })

  it('keeps its connections to the replica open between requests', async () => {
    const port = Number(new URL(product?.base ?? '').port)
    const before = closedConnections(port)
    for (let i = 0; i < 20; i++) expect((await get('/api/health')).status).toBe(200)
    // Without keep-alive each of the 20 would leave a closed connection behind.
    expect(closedConnections(port) - before).toBeLessThanOrEqual(2)
  })

  it('lets the replica see each visitor by the address nginx saw, whatever X-Forwarded-For they send', async () => {
    // The limit counts per clock minute: start early in one, so the burst stays inside it.
    while (new Date().getSeconds() > 40) await sleep(1_000)
    const search = (from: string, forged: string) =>
      get('/api/search?q=加油站', { 'x-forwarded-for': forged }, from)
    const first: number[] = []
    for (let i = 0; i < searchLimit + 2; i++) {
      // A new forged address each time: were the forged entry believed, none would be limited.
      first.push((await search('127.0.0.2', `198.51.100.${i + 1}`)).status)
    }
    expect(first).toEqual([...Array<number>(searchLimit).fill(200), 429, 429])
    // Another visitor keeps the whole budget: the replica does not see nginx's own address.
    expect((await search('127.0.0.3', '198.51.100.1')).status).toBe(200)
  })

  it("passes the site's own forms over HTTPS to the replica, and refuses another site's", async () => {
    if (!nginx) throw new Error('nginx is not running')
    const post = (origin: string, pathname = '/complaints/submit', body = 'business=x') =>
      http2Request(nginx?.url ?? '', {
        ca: nginx?.ca ?? Buffer.alloc(0),
        method: 'POST',
        path: pathname,
        headers: { origin, 'content-type': 'application/x-www-form-urlencoded' },
        body,
      })
    const own = await post(nginx.url)
    // The form is incomplete: the replica answers it (the form again, saying what is missing).
    expect(own.body.toString()).not.toContain('Cross-site')
    expect(own.status).not.toBe(403)
    expect(own.headers['content-type']).toMatch(/^text\/html/)
    // The console's sign-in: a wrong password, not a foreign origin.
    const signIn = await post(nginx.url, '/admin/sign-in', 'username=nobody&password=not-the-one')
    expect(signIn.status).toBe(401)
    const foreign = await post('https://evil.example')
    expect(foreign.status).toBe(403)
    expect(foreign.body.toString()).toContain('Cross-site')
  })

  it('answers plain HTTP with a redirect to HTTPS', async () => {
    const answer = await fetch(`http://127.0.0.1:${nginx?.httpPort}/complaints/new?x=1`, {
      redirect: 'manual',
    })
    expect(answer.status).toBe(301)
    expect(answer.headers.get('location')).toBe('https://127.0.0.1/complaints/new?x=1')
  })
})
