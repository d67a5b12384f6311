import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { spawn } from 'node:child_process'
import path from 'node:path'
import { sql, type Kysely } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDb } from '../../db/client.ts'
import type { Database } from '../../db/database.ts'
import { parseHashKey } from '../../api/privacy/pii.ts'
import { csrfTokenFor } from '../../api/services/admin/sessions.ts'
import { createReceiver, type Receiver } from '../support/hotline.ts'
import { dispatched, eventsPath, newTicketNo, officialHeaders } from '../support/hotline-inbound.ts'
import { operatorSession, type OperatorSession } from '../support/operators.ts'
import { alive } from '../support/processes.ts'
import { nginxBalancer, nodeBalancer, type Balancer } from '../support/balancer.ts'
import {
  freePort,
  startReplica,
  startSharedServices,
  stopReplica,
  type Replica,
  type SharedServices,
} from '../support/replicas.ts'
import { jpeg } from '../unit/photos-fixtures.ts'
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3'
import { usccCheckCharacter } from '../../api/domain/uscc.ts'

/**
 * Issue 26: three product processes from this one checkout, with default settings but for the
 * shared services and secrets (as production sets them), behind a round-robin balancer. Every
 * request through the balancer lands on whichever replica is next, so each check below holds only
 * if the replicas agree through PostgreSQL, Meilisearch and the photo store, not through memory.
 */

const root = path.resolve(import.meta.dirname, '../..')
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

let shared: SharedServices
let receiver: Receiver
let balancer: Balancer
let db: Kysely<Database>
const replicas: (Replica | undefined)[] = []
let ports: number[] = []

type Send = (pathname: string, init?: RequestInit) => Promise<Response>
/** Through the balancer, landing on whichever replica is next. */
const through: Send = (pathname, init) => balancer.request(pathname, init)
/** Straight to replica `i`. */
const at =
  (i: number): Send =>
  (pathname, init) =>
    fetch(`${direct(i)}${pathname}`, init)
const direct = (i: number) => `http://127.0.0.1:${ports[i]}`

/** What beforeAll started, stopped in reverse order (some of it, if it failed half way). */
const cleanups: (() => Promise<unknown>)[] = []

beforeAll(async () => {
  shared = await startSharedServices('replicas')
  cleanups.push(() => shared.stop())
  receiver = await createReceiver()
  cleanups.push(() => receiver.stop())
  ports = await Promise.all([freePort(), freePort(), freePort()])
  const upstreams = ports.map((p) => `127.0.0.1:${p}`)
  // The bureau's nginx site (deploy/nginx) by default; REPLICAS_BALANCER=node for the few lines of
  // node:http instead, where nginx cannot be installed.
  balancer =
    process.env.REPLICAS_BALANCER === 'node'
      ? await nodeBalancer(upstreams)
      : await nginxBalancer(upstreams, path.join(root, 'dist', 'current', 'client'), 'replicas')
  cleanups.push(() => balancer.stop())
  shared.env.SITE_URL = balancer.url
  shared.env.HOTLINE_CALLBACK_URL = receiver.url
  cleanups.push(() => Promise.allSettled(replicas.map((r) => stopReplica(r))))
  // Started together, as a service manager starts the units of one machine.
  const started = await Promise.allSettled(ports.map((port) => startReplica(shared, port)))
  for (const s of started) if (s.status === 'fulfilled') replicas.push(s.value)
  for (const s of started) if (s.status === 'rejected') throw s.reason
  db = createDb({ connectionString: shared.databaseUrl, max: 4 })
  cleanups.push(() => db.destroy())
}, 600_000)

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined)
}, 120_000)

/** A console caller's headers for `target` (the Origin must name the host the request goes to). */
function consoleHeaders(session: OperatorSession, target: string): Record<string, string> {
  const hashKey = parseHashKey(shared.env.PII_HASH_KEY!)
  return {
    cookie: session.cookie,
    'x-csrf-token': csrfTokenFor(hashKey, session.tokenHash),
    origin: target,
    'content-type': 'application/json',
  }
}

/**
 * Files a report as a resident's browser would, with an Idempotency-Key: a balancer may then send
 * it again to another replica when the first dies mid-way, and it is still filed once.
 */
async function report(send: Send, client: string, label: string, extra = {}) {
  return send('/api/complaints', {
    method: 'POST',
    signal: AbortSignal.timeout(60_000),
    headers: {
      'content-type': 'application/json',
      'x-test-client': client,
      'idempotency-key': randomUUID(),
    },
    body: JSON.stringify({
      kind: 'report',
      category: 'short_weight',
      county: '331102',
      merchantName: `${label}摊位`,
      address: `莲都区${label}菜场`,
      occurredAt: '2026-11-20T09:30',
      description: `${label}：${randomUUID()}`,
      consent: true,
      ...extra,
    }),
  })
}

/** Polls `check` until it holds or `ms` pass; returns how long it took, or throws. */
async function within(ms: number, what: string, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now()
  for (;;) {
    if (await check()) return Date.now() - started
    if (Date.now() - started > ms) throw new Error(`${what}: not within ${ms} ms`)
    await sleep(250)
  }
}

describe('three replicas behind a balancer', () => {
  it('share console sessions, and sign-out, password reset and disabling end one everywhere within 10 s', async () => {
    const admin = await operatorSession(db, 'city_admin')
    const leaving = await operatorSession(db, 'viewer')
    const reset = await operatorSession(db, 'viewer')
    const disabled = await operatorSession(db, 'viewer')
    const me = (s: OperatorSession, i: number) =>
      fetch(`${direct(i)}/api/admin/auth/me`, { headers: { cookie: s.cookie } }).then(
        (r) => r.status,
      )
    for (const s of [admin, leaving, reset, disabled]) {
      expect(await Promise.all([0, 1, 2].map((i) => me(s, i)))).toEqual([200, 200, 200])
    }

    const endedEverywhere = (s: OperatorSession) =>
      within(10_000, 'session ended on every replica', async () =>
        (await Promise.all([0, 1, 2].map((i) => me(s, i)))).every((status) => status === 401),
      )
    const out = await through('/api/admin/auth/sign-out', {
      method: 'POST',
      headers: consoleHeaders(leaving, balancer.url),
    })
    expect(out.status).toBeLessThan(400)
    await endedEverywhere(leaving)

    for (const [session, action] of [
      [reset, 'reset_password'],
      [disabled, 'disable'],
    ] as const) {
      const res = await through(`/api/admin/operators/${session.id}/actions`, {
        method: 'POST',
        headers: consoleHeaders(admin, balancer.url),
        body: JSON.stringify({ action }),
      })
      expect(res.status, await res.clone().text()).toBe(200)
      await endedEverywhere(session)
    }
    expect(await Promise.all([0, 1, 2].map((i) => me(admin, i)))).toEqual([200, 200, 200])
  })

  it('holds the per-address and per-phone complaint limits across replicas', async () => {
    const address = '203.0.113.20'
    const byAddress = await Promise.all(
      Array.from({ length: 30 }, () => report(through, address, '同址限额')),
    )
    const accepted = byAddress.filter((r) => r.status === 201).length
    // COMPLAINT_LIMIT_PER_ADDRESS is 10 by default: never more than 10 % over, and not all refused.
    expect(accepted).toBeGreaterThanOrEqual(9)
    expect(accepted).toBeLessThanOrEqual(11)
    expect(byAddress.filter((r) => r.status === 429).length).toBe(30 - accepted)

    const phone = `139${String(randomBytes(3).readUIntBE(0, 3) % 100_000_000).padStart(8, '0')}`
    const byPhone = await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        report(through, `203.0.113.${100 + n}`, '同号限额', {
          kind: 'complaint',
          name: '钱多多',
          phone,
        }),
      ),
    )
    const acceptedByPhone = byPhone.filter((r) => r.status === 201).length
    // COMPLAINT_LIMIT_PER_PHONE is 5 by default.
    expect(acceptedByPhone).toBeGreaterThanOrEqual(4)
    expect(acceptedByPhone).toBeLessThanOrEqual(5)
  })

  it('answers at most the search limit plus 10 % of 300 concurrent searches from one address', async () => {
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, n) =>
        through(`/api/search?q=${encodeURIComponent(`菜场${n % 7}`)}`, {
          headers: { 'x-test-client': '203.0.113.30' },
        }),
      ),
    )
    const statuses = results.map((r) => r.status)
    const answered = statuses.filter((s) => s === 200).length
    // The node balancer names the replica that answered; nginx spreads them as its site says.
    if (balancer.kind === 'node') {
      expect(new Set(results.map((r) => r.headers.get('x-upstream'))).size).toBe(3)
    }
    // SEARCH_LIMIT_PER_ADDRESS is 180 by default.
    expect(answered).toBeLessThanOrEqual(198)
    expect(answered).toBeGreaterThanOrEqual(162)
    expect(statuses.filter((s) => s !== 200 && s !== 429)).toEqual([])
  })

  it('serves a photo filed on one replica from the others, and an erasure removes it for all', async () => {
    const admin = await operatorSession(db, 'city_admin')
    const form = new FormData()
    const fields = {
      kind: 'complaint',
      category: 'rigged_instrument',
      county: '331102',
      merchantName: '带照片的摊位',
      address: '菜场 3 号',
      occurredAt: '2026-11-20T09:30',
      description: `秤上装了遥控器。（${randomUUID().slice(0, 8)}）`,
      name: '赵大海',
      phone: '13900001111',
      consent: 'on',
    }
    for (const [k, v] of Object.entries(fields)) form.set(k, v)
    const bytes = Buffer.from(jpeg().bytes)
    form.append('photos', new File([bytes], 'a.jpg', { type: 'image/jpeg' }))
    const filed = await fetch(`${direct(0)}/api/complaints`, {
      method: 'POST',
      body: form,
      headers: {
        accept: 'application/json',
        origin: direct(0),
        'x-test-client': '203.0.113.40',
      },
      redirect: 'manual',
    })
    expect([201, 303]).toContain(filed.status)
    const trackingNo =
      filed.status === 201
        ? ((await filed.json()) as { trackingNo: string }).trackingNo
        : filed.headers.get('location')!.split('/').at(-1)!
    const row = await db
      .selectFrom('complaints')
      .innerJoin('complaintPhotos', 'complaintPhotos.complaintId', 'complaints.id')
      .select(['complaints.id as caseId', 'complaintPhotos.id as photoId'])
      .where('complaints.trackingNo', '=', trackingNo)
      .executeTakeFirstOrThrow()
    const photoOn = (i: number) =>
      fetch(`${direct(i)}/api/admin/photos/${row.photoId}`, { headers: { cookie: admin.cookie } })
    const served = await Promise.all([1, 2, 0].map(photoOn))
    expect(served.map((r) => r.status)).toEqual([200, 200, 200])
    const digests = await Promise.all(
      served.map(async (r) =>
        createHash('sha256')
          .update(Buffer.from(await r.arrayBuffer()))
          .digest('hex'),
      ),
    )
    expect(new Set(digests).size).toBe(1)

    // Kept in the shared bucket (not in a folder the replicas happen to share in this test).
    const bucket = new S3Client({
      endpoint: shared.s3.endpoint,
      region: shared.s3.region,
      forcePathStyle: true,
      credentials: {
        accessKeyId: shared.s3.accessKeyId,
        secretAccessKey: shared.s3.secretAccessKey,
      },
    })
    const objects = async () =>
      (
        await bucket.send(
          new ListObjectsV2Command({ Bucket: shared.s3.bucket, Prefix: 'replicas/' }),
        )
      ).Contents?.length ?? 0
    expect(await objects()).toBeGreaterThanOrEqual(1)
    const before = await objects()

    const steps = [
      { action: 'accept' },
      {
        action: 'complete',
        finding: 'unverifiable',
        followUp: 'none',
        handlingResult: '已联系核实。',
        publicReply: '已处理。',
      },
      { action: 'close' },
      { action: 'erase_personal_data', note: '本人经 12345 申请删除，已核对身份。' },
    ]
    for (const [i, step] of steps.entries()) {
      // Each step to another replica, in turn.
      const target = direct(i % 3)
      const res = await fetch(`${target}/api/admin/cases/${row.caseId}/actions`, {
        method: 'POST',
        headers: consoleHeaders(admin, target),
        body: JSON.stringify({ ...step, version: i + 1 }),
      })
      expect(res.status, await res.clone().text()).toBe(200)
    }
    const after = await Promise.all([0, 1, 2].map(photoOn))
    expect(after.map((r) => r.status)).toEqual([404, 404, 404])
    expect(await objects()).toBe(before - 1)
    bucket.destroy()
  })

  it('rebuilds the static pages on every replica within 2 minutes of an enterprise change, all alike', async () => {
    const admin = await operatorSession(db, 'city_admin')
    const uscc = `91331102MA2H${randomBytes(3)
      .toString('hex')
      .toUpperCase()
      .replace(/[IOSVZ]/g, '8')
      .slice(0, 4)}1`
    const valid = uscc + usccCheckCharacter(uscc)
    const list =
      'uscc,name,county,sector,address,certified_at,valid_until,status\n' +
      `${valid},莲都副本验证超市,331102,其他,丽水市莲都区中山街 1 号,2024-01-10,2030-01-09,有效\n`
    const form = new FormData()
    form.set('file', new File([list], 'list.csv', { type: 'text/csv' }))
    const headers = consoleHeaders(admin, balancer.url)
    delete headers['content-type']
    const imported = await through('/api/admin/enterprises/import', {
      method: 'POST',
      headers,
      body: form,
    })
    expect(imported.status, await imported.clone().text()).toBeLessThan(300)
    const page = (i: number) =>
      fetch(`${direct(i)}/enterprises/${valid}/`).then(async (r) => ({
        status: r.status,
        body: await r.text(),
      }))
    const took = await within(120_000, 'every replica serves the new page', async () => {
      const pages = await Promise.all([0, 1, 2].map(page))
      return pages.every((p) => p.status === 200 && p.body.includes('莲都副本验证超市'))
    })
    const pages = await Promise.all([0, 1, 2].map(page))
    expect(new Set(pages.map((p) => p.body)).size).toBe(1)
    expect(took).toBeLessThan(120_000)
  }, 180_000)

  it('applies 12345 events sent twice to different replicas once, and sends each callback once', async () => {
    const secret = shared.env.HOTLINE_WEBHOOK_SECRET!
    const tickets = Array.from({ length: 12 }, () => newTicketNo())
    const sends = tickets.flatMap((ticketNo) => {
      const body = JSON.stringify(dispatched(ticketNo))
      const headers = officialHeaders(secret, body, {})
      // The same delivery to two different replicas at once: a hotline retry racing the first.
      return [0, 1].map((i) =>
        fetch(`${direct((tickets.indexOf(ticketNo) + i) % 3)}${eventsPath}`, {
          method: 'POST',
          headers,
          body,
        }),
      )
    })
    const statuses = (await Promise.all(sends)).map((r) => r.status)
    expect(
      statuses.every((s) => s >= 200 && s < 300),
      String(statuses),
    ).toBe(true)
    await within(30_000, 'every event applied', async () => {
      const applied = await db
        .selectFrom('hotlineTickets')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('ticketNo', 'in', tickets)
        .executeTakeFirstOrThrow()
      return Number(applied.n) === tickets.length
    })
    const cases = await db
      .selectFrom('complaints')
      .innerJoin('hotlineTickets', 'hotlineTickets.complaintId', 'complaints.id')
      .select(['complaints.id', 'complaints.version', 'hotlineTickets.ticketNo'])
      .where('hotlineTickets.ticketNo', 'in', tickets)
      .execute()
    expect(cases).toHaveLength(tickets.length)

    // Each case signed for twice at once, on two replicas: one wins, one callback goes out.
    const handler = await operatorSession(db, 'city_admin')
    receiver.received.length = 0
    const signs = await Promise.all(
      cases.flatMap((c, n) =>
        [0, 1].map((i) => {
          const target = direct((n + i) % 3)
          return fetch(`${target}/api/admin/cases/${c.id}/actions`, {
            method: 'POST',
            headers: consoleHeaders(handler, target),
            body: JSON.stringify({ action: 'sign', version: c.version }),
          }).then((r) => r.status)
        }),
      ),
    )
    expect(
      signs.filter((s) => s === 200),
      String(signs),
    ).toHaveLength(cases.length)
    expect(signs.filter((s) => s === 409)).toHaveLength(cases.length)
    await within(30_000, 'every callback received', () =>
      Promise.resolve(receiver.received.length >= cases.length),
    )
    await sleep(3_000)
    const ids = receiver.received.map((r) => r.headers['webhook-id'])
    expect(ids).toHaveLength(cases.length)
    expect(new Set(ids).size).toBe(cases.length)
  })

  it('stores and indexes 2,000 concurrent complaints once each, losing none when a replica is killed', async () => {
    const total = 2_000
    const concurrency = 48
    const acknowledged: string[] = []
    const failed: string[] = []
    let killedAt = 0
    let sent = 0
    const label = `负载${randomBytes(3).toString('hex')}`
    const worker = async () => {
      for (;;) {
        const n = sent++
        if (n >= total) return
        if (n === 700 && !killedAt) {
          killedAt = Date.now()
          process.kill(replicas[2]!.child.pid!, 'SIGKILL')
        }
        try {
          const res = await report(through, `198.18.${n >> 8}.${n & 255}`, label)
          if (res.status === 201) {
            acknowledged.push(((await res.json()) as { trackingNo: string }).trackingNo)
          } else {
            failed.push(`${res.status} ${(await res.text()).slice(0, 120)}`)
          }
        } catch (error) {
          // Cut off with no answer: not acknowledged, as a 502 is not.
          failed.push(`cut off: ${error instanceof Error ? error.name : String(error)}`)
        }
        if ((acknowledged.length + failed.length) % 250 === 0) {
          process.stderr.write(`replicas: ${acknowledged.length} filed, ${failed.length} not\n`)
        }
      }
    }
    await Promise.all(Array.from({ length: concurrency }, worker))
    expect(killedAt).toBeGreaterThan(0)
    // Only requests in flight on the killed replica may fail, and they were never acknowledged.
    expect(failed.length, failed.join('\n')).toBeLessThanOrEqual(concurrency)
    expect(
      failed.every((s) => s.startsWith('502') || s.startsWith('cut off')),
      failed.join('\n'),
    ).toBe(true)

    const stored = await db
      .selectFrom('complaints')
      .select('trackingNo')
      .where('merchantName', '=', `${label}摊位`)
      .execute()
    const storedSet = new Set(stored.map((r) => r.trackingNo))
    expect(storedSet.size).toBe(stored.length)
    expect(acknowledged.filter((t) => !storedSet.has(t))).toEqual([])

    // What the killed replica had taken from the outbox is finished by another within 30 s.
    const stuckSince = async (before: Date) => {
      const row = await db
        .selectFrom('outbox')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('createdAt', '<', before)
        .where('state', '=', 'pending')
        .executeTakeFirstOrThrow()
      return Number(row.n)
    }
    const killTime = new Date(killedAt)
    const left = 30_000 - (Date.now() - killedAt)
    await within(
      Math.max(left, 0) + 1_000,
      'outbox rows from before the kill done',
      async () => (await stuckSince(killTime)) === 0,
    )
    expect(Date.now() - killedAt).toBeLessThanOrEqual(31_000)

    // Every stored complaint is in the console index once.
    await within(60_000, 'the outbox drained', async () => (await stuckSince(new Date())) === 0)
    const [{ n: rows }] = (
      await sql<{ n: string }>`SELECT count(*) AS n FROM complaints`.execute(db)
    ).rows as [{ n: string }]
    const stats = await fetch(`${shared.meili.url}/indexes/replicas_complaints/stats`, {
      headers: { authorization: `Bearer ${shared.meili.masterKey}` },
    }).then((r) => r.json() as Promise<{ numberOfDocuments: number }>)
    expect(stats.numberOfDocuments).toBe(Number(rows))

    // The killed replica comes back (as its service manager restarts it).
    replicas[2] = await startReplica(shared, ports[2]!)
  }, 300_000)

  it('refuses to start a replica with other personal-data keys, naming the problem', async () => {
    const port = await freePort()
    const keyId = shared.env.PII_KEYS!.split(':')[0]!
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
      cwd: root,
      env: {
        ...process.env,
        ...shared.env,
        PORT: String(port),
        DATA_DIR: path.join(shared.dir, 'other-keys'),
        PII_KEYS: `${keyId}:${randomBytes(32).toString('base64')}`,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (c: Buffer) => (output += c.toString()))
    child.stderr.on('data', (c: Buffer) => (output += c.toString()))
    const code = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL')
        resolve(null)
      }, 120_000)
      child.on('exit', (c) => {
        clearTimeout(timer)
        resolve(c)
      })
    })
    expect(code, output).not.toBe(0)
    expect(code, output).not.toBeNull()
    expect(output).toContain(keyId)
    expect(output).toMatch(/密钥/)
    expect(
      await fetch(`http://127.0.0.1:${port}/api/health`).then(
        () => true,
        () => false,
      ),
    ).toBe(false)
  }, 150_000)

  it('answers 503 with Retry-After while PostgreSQL restarts, recovers alone, and loses nothing', async () => {
    const pids = replicas.map((r) => r!.child.pid!)
    const before = await Promise.all(
      Array.from({ length: 10 }, (_, n) => report(through, `198.19.0.${n}`, '重启前')),
    )
    const kept = await Promise.all(
      before.map(async (r) => {
        expect(r.status).toBe(201)
        return ((await r.json()) as { trackingNo: string }).trackingNo
      }),
    )
    const duringDown: { status: number; retryAfter: string | null }[] = []
    const readsDown: { status: number; retryAfter: string | null; body: string }[] = []
    await shared.restartPostgres(8_000, async () => {
      await sleep(1_000)
      for (let i = 0; i < 6; i++) {
        const res = await report(through, `198.19.1.${i}`, '停库时')
        duringDown.push({ status: res.status, retryAfter: res.headers.get('retry-after') })
        await res.arrayBuffer()
      }
      // A page of public data read from PostgreSQL answers the same, on every replica.
      for (const i of [0, 1, 2]) {
        const res = await at(i)('/api/inspections')
        readsDown.push({
          status: res.status,
          retryAfter: res.headers.get('retry-after'),
          body: await res.text(),
        })
      }
    })
    expect(duringDown.map((d) => d.status)).toEqual(Array(6).fill(503))
    expect(duringDown.every((d) => d.retryAfter !== null && Number(d.retryAfter) > 0)).toBe(true)
    expect(readsDown.map((d) => d.status)).toEqual([503, 503, 503])
    expect(readsDown.every((d) => Number(d.retryAfter) > 0)).toBe(true)
    expect(readsDown.every((d) => d.body.includes('SERVICE_UNAVAILABLE'))).toBe(true)

    const after: string[] = []
    await within(60_000, 'every replica files complaints again', async () => {
      const answers = await Promise.all(
        [0, 1, 2].map((i) => report(at(i), `198.19.2.${i}`, '恢复后')),
      )
      for (const r of answers) {
        if (r.status === 201) after.push(((await r.json()) as { trackingNo: string }).trackingNo)
        else await r.arrayBuffer()
      }
      return answers.every((r) => r.status === 201)
    })
    expect((await through('/api/inspections')).status).toBe(200)
    await db.destroy()
    db = createDb({ connectionString: shared.databaseUrl, max: 4 })
    const acknowledged = [...kept, ...after]
    const found = await db
      .selectFrom('complaints')
      .select(['id', 'trackingNo'])
      .where('trackingNo', 'in', acknowledged)
      .execute()
    expect(found.map((r) => r.trackingNo).sort()).toEqual([...acknowledged].sort())
    // The same processes, their pools reconnected on their own.
    expect(replicas.map((r) => r!.child.pid)).toEqual(pids)
    expect(pids.every((pid) => alive(pid))).toBe(true)

    // And the workers, whose connections went down with the database too, index every one: a
    // batch claimed when the database stopped waits out its lease, then is done again.
    const indexed = async () => {
      const res = await fetch(`${shared.meili.url}/indexes/replicas_complaints/documents/fetch`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${shared.meili.masterKey}`,
          'content-type': 'application/json',
        },
        body: JSON.stringify({ ids: found.map((r) => r.id), fields: ['id'], limit: 1_000 }),
      })
      if (!res.ok) throw new Error(`Meilisearch answered ${res.status}: ${await res.text()}`)
      const { results } = (await res.json()) as { results: { id: string }[] }
      return new Set(results.map((d) => d.id))
    }
    await within(90_000, 'every acknowledged complaint indexed', async () => {
      const got = await indexed()
      return found.every((r) => got.has(r.id))
    })
  }, 240_000)
})
