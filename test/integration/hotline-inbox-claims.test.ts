import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { applyPendingInboxEvents } from '../../api/services/hotline/apply.ts'
import { inboxIdleLimitSeconds } from '../../api/services/shared/queue-policy.ts'
import { dispatched, newTicketNo, postEvent } from '../support/hotline-inbound.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'

/*
 * The 12345 inbox claims events by the row locks of the transaction that applies them (with the
 * ticket's lock). A replica killed mid-way closes its connection, and PostgreSQL frees them at
 * once; one that vanishes without closing it (a machine lost, a frozen VM) is cut off after the
 * idle limit. Either way another replica applies the events within 30 s (issue 26).
 */

const root = path.resolve(import.meta.dirname, '../..')
let t: TestContext
let app: ReturnType<typeof createApp>
const children: ChildProcess[] = []

beforeAll(async () => {
  t = await createTestContext()
  app = createApp(t.deps)
})
afterAll(() => t.cleanup())
afterEach(async () => {
  for (const child of children.splice(0)) {
    if (child.exitCode !== null || child.signalCode !== null) continue
    const exited = new Promise((resolve) => child.once('exit', resolve))
    child.kill('SIGKILL')
    await exited
  }
})

/** A dispatched work order stored in the inbox, not yet applied; answers its ticket number. */
async function pendingTicket() {
  const ticketNo = newTicketNo()
  const secret = t.deps.config.HOTLINE_WEBHOOK_SECRET!
  expect((await postEvent(app, secret, dispatched(ticketNo))).res.status).toBe(202)
  return ticketNo
}

/** Starts a worker process (support/inbox-holder-child.ts) that claims the ticket's events. */
async function startHolder(ticketNo: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/inbox-holder-child.ts'], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: t.databaseUrl, TICKET_NO: ticketNo },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  children.push(child)
  let out = ''
  let err = ''
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no claim within 30 s: ${err}`)), 30_000)
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      if (!out.includes('claimed 1\n')) return
      clearTimeout(timer)
      resolve()
    })
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`the holder exited (${code}) before claiming: ${out} ${err}`))
    })
  })
  return child
}

const caseOf = (ticketNo: string) =>
  t.deps.db
    .selectFrom('hotlineTickets')
    .select('complaintId')
    .where('ticketNo', '=', ticketNo)
    .executeTakeFirst()

/** Applies due events as another replica's worker does, until the ticket has its case. */
async function applyUntilCase(ticketNo: string, ms: number) {
  const deadline = Date.now() + ms
  while (Date.now() < deadline) {
    await applyPendingInboxEvents(t.deps)
    if (await caseOf(ticketNo)) return
    await sleep(200)
  }
}

describe('12345 inbox claims', () => {
  it('are free for another worker as soon as the worker holding them is killed', async () => {
    const ticketNo = await pendingTicket()
    const holder = await startHolder(ticketNo)
    holder.kill('SIGKILL')
    const killedAt = Date.now()
    await applyUntilCase(ticketNo, 10_000)
    expect(await caseOf(ticketNo)).toBeDefined()
    expect(Date.now() - killedAt).toBeLessThan(5_000)
  })

  it('go to another worker within 30 s when the worker holding them freezes with its connection open', async () => {
    expect(inboxIdleLimitSeconds).toBeLessThan(30)
    const ticketNo = await pendingTicket()
    const holder = await startHolder(ticketNo)
    // Frozen, as a machine gone silent: its connection stays open, it answers nothing.
    holder.kill('SIGSTOP')
    const frozenAt = Date.now()
    const applying = applyUntilCase(ticketNo, 40_000)
    // Held meanwhile: the frozen worker's transaction still has the ticket and its events.
    await sleep(3_000)
    expect(await caseOf(ticketNo)).toBeUndefined()
    await applying
    expect(await caseOf(ticketNo)).toBeDefined()
    expect(Date.now() - frozenAt).toBeLessThan(30_000)
  }, 60_000)
})
