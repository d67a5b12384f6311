import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { applyPendingInboxEvents } from '../../api/services/hotline/apply.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import {
  dispatched,
  eventsPath,
  later,
  newTicketNo,
  officialHeaders,
} from '../support/hotline-inbound.ts'

const root = path.resolve(import.meta.dirname, '../..')
let t: TestContext
let dataDir: string
const children = new Set<ChildProcess>()

/**
 * The real API and background work in a process of its own, as `npm start` runs them without the
 * static site: the stack from the configuration, the Hono app behind a Node HTTP server, and the
 * worker thread (unless WORKER_ENABLED=false). Prints its port once it listens.
 */
const childProgram = `
import http from 'node:http'
const { parseConfig } = await import(${JSON.stringify(`${root}/api/config.ts`)})
const { createLogger } = await import(${JSON.stringify(`${root}/api/logger.ts`)})
const { bootStack } = await import(${JSON.stringify(`${root}/scripts/stack/index.ts`)})
const { createApp } = await import(${JSON.stringify(`${root}/api/http/app.ts`)})
const { startBackgroundWork } = await import(${JSON.stringify(`${root}/api/worker/background-thread.ts`)})
const config = parseConfig(process.env)
const logger = createLogger(config.LOG_LEVEL)
const stack = await bootStack(config, logger)
const app = createApp(stack.deps)
startBackgroundWork({ config, databaseUrl: stack.databaseUrl, meiliUrl: stack.meiliUrl, meiliKey: stack.meiliKey, logger })
const server = http.createServer(async (req, res) => {
  const chunks = []
  for await (const chunk of req) chunks.push(chunk)
  const headers = new Headers()
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers.set(k, v)
  const answer = await app.fetch(new Request('http://127.0.0.1' + req.url, {
    method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined,
  }), { clientAddress: '127.0.0.1' })
  res.writeHead(answer.status, Object.fromEntries(answer.headers))
  res.end(Buffer.from(await answer.arrayBuffer()))
})
server.listen(0, '127.0.0.1', () => console.log(JSON.stringify({ port: server.address().port })))
`

/** Starts the child and waits for its port. */
async function startApp(env: Record<string, string>) {
  const c = t.deps.config
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(dataDir, 'app.mjs')], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
      DATABASE_URL: t.databaseUrl,
      MEILI_URL: c.MEILI_URL!,
      MEILI_MASTER_KEY: c.MEILI_MASTER_KEY!,
      MEILI_INDEX_PREFIX: c.MEILI_INDEX_PREFIX,
      PII_KEYS: c.PII_KEYS!,
      PII_HASH_KEY: c.PII_HASH_KEY!,
      PHOTO_DIR: path.join(dataDir, 'photos'),
      HOTLINE_WEBHOOK_SECRET: c.HOTLINE_WEBHOOK_SECRET!,
      HOTLINE_CALLBACK_SECRET: c.HOTLINE_CALLBACK_SECRET!,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.add(child)
  let output = ''
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`app did not start: ${output}`)), 60_000)
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString()
      const match = /\{"port":(\d+)\}/.exec(output)
      if (match) {
        clearTimeout(timer)
        resolve(Number(match[1]))
      }
    })
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`app exited with ${code}: ${output}`))
    })
  })
  return { child, url: `http://127.0.0.1:${port}` }
}

/** SIGKILL by PID: no shutdown code runs, as when the machine loses power. */
async function kill(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return
  const exited = new Promise((resolve) => child.once('exit', resolve))
  process.kill(child.pid!, 'SIGKILL')
  await exited
  children.delete(child)
}

async function post(url: string, event: unknown) {
  const body = JSON.stringify(event)
  const res = await fetch(`${url}${eventsPath}`, {
    method: 'POST',
    headers: officialHeaders(t.deps.config.HOTLINE_WEBHOOK_SECRET!, body),
    body,
  })
  return res.status
}

async function waitFor<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 30_000) {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await read()
    if (ok(value)) return value
    if (Date.now() > deadline) throw new Error(`timed out; last value ${JSON.stringify(value)}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

const inboxStates = (ticketNo: string) =>
  t.deps.db
    .selectFrom('hotlineInbox')
    .select('state')
    .where('ticketNo', '=', ticketNo)
    .execute()
    .then((rows) => rows.map((r) => r.state).sort())

async function caseOf(ticketNo: string) {
  const tickets = await t.deps.db
    .selectFrom('hotlineTickets')
    .select(['complaintId', 'urgeCount'])
    .where('ticketNo', '=', ticketNo)
    .execute()
  const entries = tickets[0]
    ? await t.deps.db
        .selectFrom('complaintEvents')
        .select('kind')
        .where('complaintId', '=', tickets[0].complaintId)
        .execute()
    : []
  return { tickets, kinds: entries.map((e) => e.kind).sort() }
}

beforeAll(async () => {
  t = await createTestContext()
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'hotline-crash-'))
  // A file, not `node -e`: the worker thread inherits the process's options, and -e is not one
  // a thread may take.
  await writeFile(path.join(dataDir, 'app.mjs'), childProgram)
})
afterEach(async () => {
  for (const child of children) await kill(child)
})
afterAll(async () => {
  for (const child of children) await kill(child)
  await t.cleanup()
  await rm(dataDir, { recursive: true, force: true })
})

describe('a crash between storing and applying a hotline event', () => {
  it('loses nothing when the app is killed after answering and before applying', async () => {
    const ticketNo = newTicketNo()
    const first = await startApp({ WORKER_ENABLED: 'false' })
    expect(await post(first.url, dispatched(ticketNo))).toBe(202)
    expect(
      await post(first.url, later('ticket.urged', ticketNo, '2026-11-27T10:00:00+08:00')),
    ).toBe(202)
    await kill(first.child)
    expect(await inboxStates(ticketNo)).toEqual(['pending', 'pending'])
    expect((await caseOf(ticketNo)).tickets).toEqual([])

    // A fresh instance with its worker applies both, once.
    const second = await startApp({ WORKER_ENABLED: 'true' })
    await waitFor(
      () => inboxStates(ticketNo),
      (s) => s.every((x) => x === 'applied'),
    )
    await kill(second.child)
    expect(await caseOf(ticketNo)).toEqual({
      tickets: [{ complaintId: expect.any(String) as string, urgeCount: 1 }],
      kinds: ['hotline_dispatched', 'hotline_urged'],
    })
  })

  it('loses nothing when the app is killed while applying, and applies the event once afterwards', async () => {
    const ticketNo = newTicketNo()
    // Hold the ticket's lock, so the child's worker stops inside its transaction, mid-apply.
    const blocker = new pg.Client({ connectionString: t.databaseUrl })
    await blocker.connect()
    try {
      await blocker.query('SELECT pg_advisory_lock(hashtext($1))', [`hotline:${ticketNo}`])
      const app = await startApp({ WORKER_ENABLED: 'true' })
      expect(await post(app.url, dispatched(ticketNo))).toBe(202)
      await waitFor(
        async () =>
          (
            await blocker.query<{ n: string }>(
              `SELECT count(*) AS n FROM pg_stat_activity
               WHERE datname = current_database() AND wait_event = 'advisory'`,
            )
          ).rows[0]!.n,
        (n) => n === '1',
      )
      await kill(app.child)
    } finally {
      await blocker.query('SELECT pg_advisory_unlock_all()')
      await blocker.end()
    }
    // The killed worker's transaction never committed: the event is still pending.
    expect(await inboxStates(ticketNo)).toEqual(['pending'])
    expect((await caseOf(ticketNo)).tickets).toEqual([])

    // A fresh worker applies it, exactly once, as soon as the dead transaction is gone.
    await waitFor(
      async () => {
        await applyPendingInboxEvents(t.deps)
        return inboxStates(ticketNo)
      },
      (s) => s[0] === 'applied',
    )
    expect(await applyPendingInboxEvents(t.deps)).toEqual([])
    expect(await caseOf(ticketNo)).toEqual({
      tickets: [{ complaintId: expect.any(String) as string, urgeCount: 0 }],
      kinds: ['hotline_dispatched'],
    })
  })
})
