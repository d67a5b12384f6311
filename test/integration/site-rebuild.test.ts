import { existsSync, readlinkSync } from 'node:fs'
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { Writable } from 'node:stream'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { parseConfig } from '../../api/config.ts'
import { createLogger } from '../../api/logger.ts'
import { changeEnterprise } from '../../api/services/admin/enterprises/change.ts'
import { getConsoleEnterprise } from '../../api/services/admin/enterprises/get.ts'
import { devStarters } from '../../scripts/stack/product.ts'
import { installedDeps } from '../../server/deps.ts'
import { startProduct, type Product } from '../../server/product.ts'
import { startSiteRebuilder } from '../../server/site-rebuild.ts'
import { takeLease } from '../../server/site-build-leases.ts'
import type { ServedSite } from '../../server/site-rebuild-serving.ts'
import { signedInOperator } from '../support/operators.ts'

const root = path.resolve(import.meta.dirname, '../..')
const dataDir = path.join(root, '.data', 'test', `rebuild-${process.pid}`)
const outDir = path.join(dataDir, 'dist')
let product: Product | undefined
const logLines: string[] = []

// The product as `npm start` runs it (like test/support/global-site.ts), in a folder of its own.
beforeAll(async () => {
  await rm(dataDir, { recursive: true, force: true })
  await mkdir(dataDir, { recursive: true })
  const config = parseConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    SITE_OUT_DIR: outDir,
    PORT: '0',
    LOG_LEVEL: 'info',
    // The poller stands for many visitors, all from 127.0.0.1: its ten text searches a second
    // would meet the search limit, which has tests of its own (search-limit.test.ts).
    SEARCH_LIMIT_PER_ADDRESS: '0',
  })
  const sink = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      logLines.push(...chunk.toString().split('\n').filter(Boolean))
      callback()
    },
  })
  product = await startProduct(config, createLogger(config.LOG_LEVEL, sink), {
    ...devStarters,
    forceBuild: true,
    demoCount: 60,
  })
})

afterAll(async () => {
  await product?.stop()
  await rm(dataDir, { recursive: true, force: true })
})

interface Sample {
  path: string
  status: number
  ms: number
}

/** Requests `paths` one after another, every ~100 ms, until stopped; records every answer. */
function startPoller(base: string, paths: string[]) {
  const samples: Sample[] = []
  const bodies = new Map<string, string>()
  let running = true
  const loop = (async () => {
    while (running) {
      for (const p of paths) {
        const started = performance.now()
        const res = await fetch(`${base}${p}`).catch(() => undefined)
        const body = res ? await res.text() : ''
        samples.push({ path: p, status: res?.status ?? 0, ms: performance.now() - started })
        bodies.set(p, body)
      }
      await new Promise((r) => setTimeout(r, 100))
    }
  })()
  return {
    samples,
    latest: (p: string) => bodies.get(p) ?? '',
    stop: async () => {
      running = false
      await loop
    },
  }
}

const statusBadge = (html: string) => /class="badge badge-(\w+)"/.exec(html)?.[1]

describe('publishing a change to the static site', () => {
  it('serves pages from deps installed once, complete with the session cache, and frozen', () => {
    const deps = installedDeps()
    expect(deps.db).toBe(product!.stack.deps.db)
    expect(deps.sessionCache).toBeDefined()
    expect(Object.isFrozen(deps)).toBe(true)
  })

  it('shows a revocation on the business page within 2 minutes, and every request meanwhile answers 200', async () => {
    const { deps } = product!.stack
    const base = product!.url
    const target = await deps.db
      .selectFrom('enterprises')
      .select('uscc')
      .where('status', '=', 'active')
      .orderBy('uscc')
      .executeTakeFirstOrThrow()
    const page = `/enterprises/${target.uscc}/`
    const before = await fetch(`${base}${page}`)
    expect(before.status).toBe(200)
    expect(statusBadge(await before.text())).toBe('active')
    const firstBuild = readlinkSync(path.join(outDir, 'current'))

    // The business page and the directory (static), and two on-demand routes.
    const poller = startPoller(base, [page, '/enterprises/', '/api/health', '/search?q=菜场'])
    const admin = await signedInOperator(deps, 'city_admin')
    const { version } = await getConsoleEnterprise({ ctx: deps, input: { uscc: target.uscc } })
    const buildsBefore = product!.rebuilder.builds()
    const revokedAt = Date.now()
    await changeEnterprise({
      ctx: deps,
      input: {
        operator: admin.operator,
        uscc: target.uscc,
        fields: { action: 'revoke', reason: '专项检查发现计量器具作弊', version },
      },
    })

    let seconds = 0
    for (;;) {
      const html = poller.latest(page)
      if (statusBadge(html) === 'revoked' && html.includes('撤销')) {
        seconds = (Date.now() - revokedAt) / 1000
        break
      }
      if (Date.now() - revokedAt > 120_000) break
      await new Promise((r) => setTimeout(r, 100))
    }
    // A few more rounds on the new build, then stop.
    await new Promise((r) => setTimeout(r, 1_000))
    await poller.stop()

    const onDemand = poller.samples.filter(
      (s) => s.path.startsWith('/api') || s.path.startsWith('/search'),
    )
    console.info(
      `revocation on the static page after ${seconds} s; ${poller.samples.length} requests, ` +
        `slowest on-demand answer ${Math.round(Math.max(...onDemand.map((s) => s.ms)))} ms`,
    )
    expect(seconds, 'the page still shows the old status after 120 s').toBeGreaterThan(0)
    expect(seconds).toBeLessThan(120)
    expect(poller.samples.filter((s) => s.status !== 200)).toEqual([])
    expect(new Set(poller.samples.map((s) => s.path)).size).toBe(4)

    // A build for the change, logged with its duration; the replaced build is kept a while.
    expect(product!.rebuilder.builds()).toBeGreaterThan(buildsBefore)
    expect(logLines.some((l) => l.includes('site rebuilt') && l.includes('"seconds"'))).toBe(true)
    const served = readlinkSync(path.join(outDir, 'current'))
    expect(served).not.toBe(firstBuild)
    const builds = await readdir(path.join(outDir, 'builds'))
    expect(builds).toEqual(
      expect.arrayContaining([path.basename(firstBuild), path.basename(served)]),
    )
    expect(existsSync(path.join(outDir, served, 'client', 'index.html'))).toBe(true)
  })
  it('keeps serving the old pages and logs the error when a build fails', async () => {
    const { deps } = product!.stack
    // A build whose stamp says its data is out of date, and a rebuilder whose builds cannot reach
    // the database: its build fails.
    const served = await mkdtemp(path.join(dataDir, 'served-'))
    await mkdir(path.join(served, 'server'))
    await writeFile(path.join(served, 'server', 'entry.mjs'), '')
    await writeFile(path.join(served, '.build-stamp'), JSON.stringify({ source: '', data: 'old' }))
    const switches: string[] = []
    const site: ServedSite = {
      handle: () => undefined,
      dir: () => served,
      switchTo: (dir) => {
        switches.push(dir)
        return Promise.resolve()
      },
    }
    const buildsBefore = await readdir(path.join(outDir, 'builds'))
    const lines = logLines.length
    const lease = await takeLease(outDir)
    const broken = startSiteRebuilder({
      // Pages for another address: the product's build (same sources and data) is not theirs to
      // serve, so this rebuilder builds.
      deps: { ...deps, config: { ...deps.config, SITE_URL: 'http://broken.example' } },
      lease,
      services: {
        databaseUrl: 'postgres://nobody:wrong@127.0.0.1:1/none',
        meiliUrl: product!.stack.meiliUrl,
        meiliKey: product!.stack.meiliKey,
      },
      site,
      logger: createLogger(
        'info',
        new Writable({
          write: (c: Buffer, _e, cb) => {
            logLines.push(c.toString())
            cb()
          },
        }),
      ),
      timing: { quietMs: 100 },
    })
    try {
      const deadline = Date.now() + 60_000
      while (!logLines.slice(lines).some((l) => l.includes('site rebuild failed'))) {
        if (Date.now() > deadline) throw new Error('the failed build was never reported')
        await new Promise((r) => setTimeout(r, 200))
      }
    } finally {
      await broken.stop()
      await lease.end()
    }
    const failure = logLines.slice(lines).find((l) => l.includes('site rebuild failed'))!
    expect(failure).toContain('ECONNREFUSED')
    expect(failure).toContain('"retryInMs":30000')
    expect(switches).toEqual([])
    expect(broken.builds()).toBe(0)
    // The half-built folder is gone; the served ones are untouched.
    expect(await readdir(path.join(outDir, 'builds'))).toEqual(buildsBefore)
  })
})
