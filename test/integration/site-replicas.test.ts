import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Config } from '../../api/config.ts'
import { changeEnterprise } from '../../api/services/admin/enterprises/change.ts'
import { getConsoleEnterprise } from '../../api/services/admin/enterprises/get.ts'
import { loadDemoDataIfEmpty } from '../../scripts/demo/load.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { signedInOperator } from '../support/operators.ts'
import { stopProcessTree } from '../support/processes.ts'

// Replicas of one checkout share SITE_OUT_DIR (issue 26): here three processes on one database,
// with a SITE_OUT_DIR outside the project. Two of them answer for one public address (as behind
// a balancer) and so can serve one build; the third has an address of its own, so its builds
// differ from theirs and the two kinds of build lie side by side in one folder.
const root = path.resolve(import.meta.dirname, '../..')
const work = path.join(os.tmpdir(), `site-replicas-${process.pid}`)
const outDir = path.join(work, 'site')
const sharedAddress = 'http://replicas.example'
const ownAddress = 'http://other.example'
/** Replaced builds are let go after half a second instead of a minute. */
const timing = { quietMs: 300, keepReplacedMs: 500 }

interface Replica {
  name: string
  child: ChildProcess
  url: string
  output: () => string
}

let t: TestContext
/** Every replica started, to stop them after the tests. */
const started: Replica[] = []
/** a, b and c, in that order, once all three serve. */
let replicas: Replica[] = []

beforeAll(async () => {
  t = await createTestContext()
  await loadDemoDataIfEmpty(t.deps, 20)
  await rm(work, { recursive: true, force: true })
})

afterAll(async () => {
  for (const replica of started) await stopProcessTree(replica.child, 15_000)
  await t.cleanup()
  await rm(work, { recursive: true, force: true })
})

/** The test database's configuration as a replica's environment (as production sets it). */
function environment(config: Config): Record<string, string> {
  return Object.fromEntries(
    Object.entries(config).map(([name, value]) => [name, value === undefined ? '' : String(value)]),
  )
}

function startReplica(name: string, siteUrl: string): Promise<Replica> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'test/support/site-replica-child.ts', JSON.stringify(timing)],
    {
      cwd: root,
      env: {
        ...process.env,
        ...environment(t.deps.config),
        SITE_URL: siteUrl,
        PORT: '0',
        SITE_OUT_DIR: outDir,
        DATA_DIR: path.join(work, 'data'),
        WORKER_ENABLED: 'false',
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let output = ''
  child.stdout.on('data', (c: Buffer) => (output += c.toString()))
  child.stderr.on('data', (c: Buffer) => (output += c.toString()))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${output}`)), 240_000)
    const look = () => {
      const line = output.split('\n').find((l) => l.startsWith('{"url"'))
      if (!line) return
      clearTimeout(timer)
      const replica = {
        name,
        child,
        url: (JSON.parse(line) as { url: string }).url,
        output: () => output,
      }
      started.push(replica)
      resolve(replica)
    }
    child.stdout.on('data', look)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`${name} exited with code ${code}:\n${output}`))
    })
  })
}

const logged = (replica: Replica, message: string) =>
  replica
    .output()
    .split('\n')
    .filter((l) => l.includes(`"msg":"${message}`)).length

/** The builds each replica's lease holds (SITE_OUT_DIR/leases), by process id. */
function heldBy(replica: Replica): string[] {
  const leases = path.join(outDir, 'leases')
  const own = new RegExp(`^${replica.child.pid}-[0-9a-f]+\\.json$`)
  for (const name of readdirSync(leases).filter((n) => own.test(n))) {
    return (JSON.parse(readFileSync(path.join(leases, name), 'utf8')) as { builds: string[] })
      .builds
  }
  return []
}

const builds = () => readdirSync(path.join(outDir, 'builds')).sort()

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

async function until<T>(what: string, seconds: number, probe: () => Promise<T | undefined>) {
  const deadline = Date.now() + seconds * 1000
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`${what}: not after ${seconds} s`)
    await sleep(250)
  }
}

/**
 * Waits until every replica holds one build only (what it serves: the replaced one let go), and
 * the folder holds nothing else. Returns each replica's served build.
 */
async function settled(live: Replica[]): Promise<string[]> {
  return until('old builds removed', 30, () => {
    const held = live.map(heldBy)
    if (held.some((h) => h.length !== 1)) return Promise.resolve(undefined)
    const served = held.map((h) => h[0]!)
    const expected = [...new Set(served)].sort()
    return Promise.resolve(
      JSON.stringify(builds()) === JSON.stringify(expected) ? served : undefined,
    )
  })
}

/** Each replica serves the home page of the build its lease names, byte for byte. */
async function expectServing(live: Replica[], served: string[]) {
  for (const [i, replica] of live.entries()) {
    const file = path.join(outDir, 'builds', served[i]!, 'client', 'index.html')
    expect(existsSync(file), `${replica.name}'s served build`).toBe(true)
    const res = await fetch(`${replica.url}/`)
    expect(res.status, replica.name).toBe(200)
    expect(await res.text(), replica.name).toBe(readFileSync(file, 'utf8'))
  }
}

const statusBadge = (html: string) => /class="badge badge-(\w+)"/.exec(html)?.[1]

/** Revokes an active business and waits until every replica's static page shows it. */
async function revokeAndWait(live: Replica[]) {
  const { deps } = t
  const target = await deps.db
    .selectFrom('enterprises')
    .select('uscc')
    .where('status', '=', 'active')
    .orderBy('uscc')
    .executeTakeFirstOrThrow()
  const admin = await signedInOperator(deps, 'city_admin')
  const { version } = await getConsoleEnterprise({ ctx: deps, input: { uscc: target.uscc } })
  const page = `/enterprises/${target.uscc}/`
  const started = Date.now()
  await changeEnterprise({
    ctx: deps,
    input: {
      operator: admin.operator,
      uscc: target.uscc,
      fields: { action: 'revoke', reason: '专项检查发现计量器具作弊', version },
    },
  })
  const seconds: number[] = []
  const pages: string[] = []
  for (const replica of live) {
    const html = await until(`${replica.name} shows the revocation`, 120, async () => {
      const res = await fetch(`${replica.url}${page}`)
      const body = await res.text()
      return statusBadge(body) === 'revoked' ? body : undefined
    })
    seconds.push((Date.now() - started) / 1000)
    pages.push(html)
  }
  return { seconds, pages }
}

describe('replicas sharing one SITE_OUT_DIR', () => {
  it('three started together on an empty folder outside the project all serve, one build per address', async () => {
    const startedAt = Date.now()
    replicas = await Promise.all([
      startReplica('a', sharedAddress),
      startReplica('b', sharedAddress),
      startReplica('c', ownAddress),
    ])
    const [a, b, c] = replicas
    console.info(`three replicas serving after ${(Date.now() - startedAt) / 1000} s`)
    for (const replica of [a!, b!, c!]) {
      for (const page of ['/', '/enterprises/', '/api/health']) {
        expect((await fetch(`${replica.url}${page}`)).status, `${replica.name} ${page}`).toBe(200)
      }
    }
    // a and b want the same pages: one built them, the other waited and serves that build.
    expect(logged(a!, 'site built') + logged(b!, 'site built')).toBe(1)
    expect(logged(c!, 'site built')).toBe(1)
    const served = await settled([a!, b!, c!])
    expect(served[0]).toBe(served[1])
    expect(served[2]).not.toBe(served[0])
    await expectServing([a!, b!, c!], served)
    // Outside the project, the build reaches the project's packages through a link of its own.
    expect(path.relative(root, outDir).startsWith('..')).toBe(true)
  })

  it('every replica serves an enterprise change within 2 minutes and none removes a build another serves', async () => {
    const [a, b, c] = replicas
    const before = await settled([a!, b!, c!])
    const { seconds, pages } = await revokeAndWait([a!, b!, c!])
    console.info(`revocation served by the three replicas after ${seconds.join(' s, ')} s`)
    expect(Math.max(...seconds)).toBeLessThan(120)
    // a and b serve the very same page; c's differs only in its own address.
    expect(pages[0]).toBe(pages[1])
    expect(pages[2]!.replaceAll(ownAddress, sharedAddress)).toBe(pages[0])
    // One build for a and b (the other adopted it), one for c: their sweeps ran beside each other.
    const rebuilt = (r: typeof a) => logged(r!, 'site rebuilt; serving the new pages')
    const adopted = (r: typeof a) => logged(r!, 'site rebuilt by another process')
    expect([rebuilt(a) + rebuilt(b), adopted(a) + adopted(b), rebuilt(c)]).toEqual([1, 1, 1])
    const served = await settled([a!, b!, c!])
    expect(served[0]).toBe(served[1])
    expect(served.some((s) => before.includes(s))).toBe(false)
    await expectServing([a!, b!, c!], served)
  })

  it('removes the builds of a killed replica at the next sweep, and the others keep serving', async () => {
    const [a, b, c] = replicas
    const cServed = heldBy(c!)[0]!
    c!.child.kill('SIGKILL')
    await new Promise((resolve) => c!.child.once('exit', resolve))
    const { seconds } = await revokeAndWait([a!, b!])
    console.info(`second revocation served after ${seconds.join(' s, ')} s`)
    // The sweep after the switch took c's build and c's lease; a and b serve theirs.
    const served = await settled([a!, b!])
    expect(builds()).toEqual([served[0]])
    expect(existsSync(path.join(outDir, 'builds', cServed))).toBe(false)
    expect(heldBy(c!)).toEqual([])
    await expectServing([a!, b!], served)
  })
})
