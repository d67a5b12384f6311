import { readdirSync, readFileSync } from 'node:fs'
import http from 'node:http'
import type { Socket } from 'node:net'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { postChunked } from '../support/http-bodies.ts'
import {
  residentBytes,
  startProduct,
  stopProcessTree,
  type RunningProduct,
} from '../support/processes.ts'
import { RawConnection } from '../support/raw-http.ts'

const root = path.resolve(import.meta.dirname, '../..')
const dataDir = path.join(root, '.data', 'test', `http-${process.pid}`)
const MB = 1024 * 1024
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

let product: RunningProduct | undefined
let base = ''

// The product as `npm start` runs it (its own process, so its memory is its own to measure), on
// embedded services in a data folder of its own, without demo data to keep the build short.
beforeAll(async () => {
  product = await startProduct({
    command: process.execPath,
    args: ['--import', 'tsx', 'scripts/start.ts'],
    cwd: root,
    dataDir,
    env: { DEMO_DATA: 'never' },
  })
  base = product.base
}, 300_000)

afterAll(async () => {
  await stopProcessTree(product?.child, 20_000)
  await rm(dataDir, { recursive: true, force: true })
}, 60_000)

/** Every on-demand page (each one a form may post to), with a sample value for its parameters. */
function onDemandPages(): string[] {
  const pagesDir = path.join(root, 'site', 'pages')
  const files = readdirSync(pagesDir, { recursive: true, encoding: 'utf8' })
  return files
    .filter((file) => file.endsWith('.astro'))
    .filter((file) => readFileSync(path.join(pagesDir, file), 'utf8').includes('prerender = false'))
    .map((file) =>
      `/${file}`
        .replace(/\.astro$/, '')
        .replace(/\/index$/, '')
        .replace(/\[[^\]]+\]/g, '1'),
    )
}

/**
 * Every operation that takes a body (POST, PUT, PATCH, DELETE), from the OpenAPI document: the
 * /api routes and Open311's (/open311/v2, with its `.{format}` suffix as `.json`).
 */
async function apiRoutesWithBodies(): Promise<string[]> {
  const doc = (await (await fetch(`${base}/api/openapi.json`)).json()) as {
    paths: Record<string, Record<string, unknown>>
  }
  return Object.entries(doc.paths)
    .filter(([, ops]) => ['post', 'put', 'patch', 'delete'].some((m) => m in ops))
    .map(([p]) => (p.startsWith('/api/') || p.startsWith('/open311/') ? p : `/api${p}`))
    .map((p) => p.replace('{format}', 'json').replace(/\{[^}]+\}/g, '1'))
}

describe('the web server', () => {
  it('refuses a 200 MB chunked body on every page and API route with 413, its memory flat', async () => {
    const pages = onDemandPages()
    const apis = await apiRoutesWithBodies()
    expect(pages).toEqual(expect.arrayContaining(['/complaints/submit', '/admin/sign-in']))
    expect(apis).toEqual(
      expect.arrayContaining([
        '/api/complaints',
        '/api/hotline/12345/events',
        '/open311/v2/requests.json',
      ]),
    )
    const routes = [...pages, ...apis]
    const headers = { origin: base }
    // Each route's code loaded and run once with a small body, and the two complaint routes once
    // with the largest body they accept: what an honest upload needs is the server's working
    // set, and the measure is what a body over the limit adds to it.
    await Promise.all(routes.map((route) => postChunked(base, route, 16, { headers })))
    for (const route of ['/complaints/submit', '/api/complaints']) {
      const answer = await postChunked(base, route, 16 * MB, { headers })
      expect(answer.status, route).not.toBe(413)
    }
    await sleep(1_000)

    const pid = product?.child.pid ?? 0
    const before = residentBytes(pid)
    let peak = before
    const sampler = setInterval(() => (peak = Math.max(peak, residentBytes(pid))), 25)
    const answers = await Promise.all(
      routes.map((route) =>
        postChunked(base, route, 200 * MB, { headers, timeoutMs: 60_000 }).then((a) => ({
          route,
          ...a,
        })),
      ),
    ).finally(() => clearInterval(sampler))
    await sleep(500)
    const after = residentBytes(pid)

    const grown = Math.max(peak, after) - before
    console.info(
      `${routes.length} routes; RSS ${(before / MB).toFixed(0)} MB before, ` +
        `peak ${(peak / MB).toFixed(0)} MB, after ${(after / MB).toFixed(0)} MB`,
    )
    expect(grown).toBeLessThan(50 * MB)
    for (const answer of answers) {
      expect(answer.status, answer.route).toBe(413)
      expect(answer.sentBytes, answer.route).toBeLessThan(200 * MB)
      if (answer.route.startsWith('/api/')) {
        const body = JSON.parse(answer.body) as { error: { code: string; message: string } }
        expect(body.error.code, answer.route).toBe('PAYLOAD_TOO_LARGE')
        expect(body.error.message, answer.route).toContain('过大')
      } else if (answer.route.startsWith('/open311/')) {
        // GeoReport v2's error list.
        const body = JSON.parse(answer.body) as { code: number; description: string }[]
        expect(body[0]?.code, answer.route).toBe(413)
        expect(body[0]?.description, answer.route).toContain('过大')
      } else {
        expect(answer.headers['content-type'], answer.route).toContain('text/html')
        expect(answer.body, answer.route).toContain('提交的内容过大')
      }
    }
  }, 180_000)

  it('routes Open311 (/open311/v2) to the API, in JSON and XML, with its own error format', async () => {
    const services = await fetch(`${base}/open311/v2/services.json`)
    expect(services.status).toBe(200)
    expect(services.headers.get('content-type')).toContain('application/json')
    expect(((await services.json()) as { service_code: string }[])[0]?.service_code).toBe(
      'short_weight',
    )
    const discovery = await fetch(`${base}/open311/v2/discovery.xml`)
    expect(discovery.status).toBe(200)
    expect(discovery.headers.get('content-type')).toContain('text/xml')
    expect(await discovery.text()).toContain('<discovery>')
    const refused = await fetch(`${base}/open311/v2/requests.json`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'api_key=o311_unknown&service_code=short_weight',
    })
    expect(refused.status).toBe(403)
    expect(((await refused.json()) as { code: number }[])[0]?.code).toBe(403)
  })

  it('prints how a second replica joins its embedded services, and no secret', () => {
    const output = product!.output()
    expect(output).toContain(path.join(dataDir, 'services.json'))
    expect(output).toMatch(/DATABASE_URL="postgres:\/\/metrology_app:\$\(node -p /)
    const secrets = JSON.parse(
      readFileSync(path.join(dataDir, 'secrets', 'postgres.json'), 'utf8'),
    ) as { appPassword: string; superuserPassword: string }
    expect(output).not.toContain(secrets.appPassword)
    expect(output).not.toContain(secrets.superuserPassword)
    expect(output).not.toContain(
      readFileSync(path.join(dataDir, 'meilisearch', 'master-key'), 'utf8').trim(),
    )
  })

  // The two keep-alive tests mostly wait, so they wait together.
  it.concurrent(
    'serves a balancer that keeps one connection idle 30 s between requests, without a reset',
    async () => {
      // What nginx's upstream keepalive or a cloud balancer does: one pooled connection, reused
      // after an idle spell shorter than its own 60 s idle timeout.
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
      const sockets = new Set<Socket>()
      const closed: string[] = []
      const get = () =>
        new Promise<{ status: number; keepAlive: string }>((resolve, reject) => {
          const req = http.get(`${base}/api/health`, { agent }, (res) => {
            res.resume()
            res.on('end', () =>
              resolve({
                status: res.statusCode ?? 0,
                keepAlive: String(res.headers['keep-alive']),
              }),
            )
          })
          req.on('socket', (socket: Socket) => {
            if (sockets.has(socket)) return
            sockets.add(socket)
            socket.on('close', (hadError) => closed.push(hadError ? 'error' : 'closed'))
          })
          req.on('error', reject)
        })
      try {
        const answers = [await get()]
        await sleep(31_000)
        answers.push(await get())
        expect(answers.map((a) => a.status)).toEqual([200, 200])
        // The server announces how long it keeps the connection: longer than the balancer's 60 s.
        expect(answers[0]!.keepAlive).toBe('timeout=65')
        expect(sockets.size).toBe(1)
        expect(closed).toEqual([])
      } finally {
        agent.destroy()
      }
    },
    120_000,
  )

  it.concurrent(
    'answers 1,000 clients that reuse their keep-alive connection after over 6 s idle',
    async () => {
      // Two rounds of 500 connections, each idle 7 s before its reuse: past the old 5 s, which
      // Node stretches by its 1 s keepAliveTimeoutBuffer.
      const failures: string[] = []
      let answered = 0
      for (let round = 0; round < 2; round++) {
        const connections = await Promise.all(
          Array.from({ length: 500 }, () => RawConnection.open(Number(new URL(base).port))),
        )
        try {
          const first = await Promise.all(connections.map((c) => c.get('/api/health')))
          expect(first.every((status) => status === 200)).toBe(true)
          await sleep(7_000)
          const again = await Promise.allSettled(connections.map((c) => c.get('/api/health')))
          for (const result of again) {
            if (result.status === 'fulfilled' && result.value === 200) answered++
            else failures.push(result.status === 'rejected' ? String(result.reason) : 'not 200')
          }
        } finally {
          for (const c of connections) c.close()
        }
      }
      expect(failures.slice(0, 5)).toEqual([])
      expect(answered).toBe(1_000)
    },
    120_000,
  )
})
