import { statSync } from 'node:fs'
import os from 'node:os'
import { sql } from 'kysely'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { inject } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import {
  backgroundThreadName,
  startBackgroundWork,
  type BackgroundWork,
} from '../../api/worker/background-thread.ts'
import { backgroundApplicationName, backgroundNice } from '../../api/worker/priority.ts'
import { defaultApplicationName } from '../../db/client.ts'
import { postReport } from '../support/complaints.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { idlePolicy, normalPolicy, schedulingOf, threadsNamed } from '../support/processes.ts'

let t: TestContext
let background: BackgroundWork | undefined

beforeAll(async () => {
  t = await createTestContext()
})
afterAll(async () => {
  await background?.stop()
  await t.cleanup()
})

async function fileReport(n: number) {
  const res = await postReport(createApp(t.deps), '后台线程测试', n)
  expect(res.status).toBe(201)
  return ((await res.json()) as { trackingNo: string }).trackingNo
}

async function indexedTrackingNos() {
  const index = t.deps.search.meili.index(t.deps.search.indexName('complaints'))
  const { hits } = await index.search('', { limit: 100 })
  return hits.map((h) => (h as { trackingNo: string }).trackingNo)
}

async function until(check: () => Promise<boolean> | boolean, what: string) {
  const deadline = Date.now() + 20_000
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

type Scheduling = ReturnType<typeof schedulingOf>

/**
 * The scheduling of the server processes of this database's connections, by application, and
 * whether this user may lower them all (its own processes, or any as root).
 */
async function serverProcesses() {
  const { rows } = await sql<{ pid: number; applicationName: string }>`
    SELECT pid, application_name FROM pg_stat_activity
    WHERE datname = current_database() AND backend_type = 'client backend'
  `.execute(t.deps.db)
  const byApplication: Record<string, Scheduling[]> = {}
  for (const r of rows)
    (byApplication[r.applicationName] ??= []).push(schedulingOf(`/proc/${r.pid}/stat`))
  const mayLower = rows.every(
    (r) => process.getuid?.() === 0 || statSync(`/proc/${r.pid}`).uid === process.getuid?.(),
  )
  return { byApplication, mayLower }
}

const isBackground = (s: Scheduling) => s.nice === backgroundNice && s.policy === idlePolicy

/** Waits until the background thread runs only when idle, at nice 10 (set just after it starts). */
async function backgroundThreadYields() {
  await until(() => {
    const threads = threadsNamed(backgroundThreadName)
    return threads.length > 0 && threads.every(isBackground)
  }, 'the background thread runs at background priority, only when the CPU is idle')
}

it('indexes complaints from a thread of its own, starts it again when it dies, and stops it', async () => {
  background = startBackgroundWork({
    config: t.deps.config,
    databaseUrl: t.databaseUrl,
    meiliUrl: inject('meiliUrl'),
    meiliKey: inject('meiliKey'),
    logger: t.deps.logger,
  })
  const first = background.thread()
  expect(first).toBeDefined()

  const a = await fileReport(1)
  await until(
    async () => (await indexedTrackingNos()).includes(a),
    'the first complaint is indexed',
  )
  // It yields to requests: the thread runs at background priority and only on idle CPU, the one
  // serving them does not.
  await backgroundThreadYields()
  expect(os.getPriority()).toBe(0)
  expect(schedulingOf('/proc/thread-self/stat')).toEqual({ nice: 0, policy: normalPolicy })
  // So do its queries: its connections' PostgreSQL processes run at background priority and only
  // on idle CPU, those serving requests do not.
  // (Lowering another user's process needs root: the embedded server runs as this user, or as
  // its own user when this is root.)
  const before = await serverProcesses()
  expect(before.byApplication[backgroundApplicationName]?.length).toBeGreaterThan(0)
  if (before.mayLower) {
    await until(
      async () =>
        (await serverProcesses()).byApplication[backgroundApplicationName]!.every(isBackground),
      "the background pool's server processes run at background priority, only when idle",
    )
  }
  const servers = (await serverProcesses()).byApplication
  expect(servers[defaultApplicationName]?.length).toBeGreaterThan(0)
  expect(servers[defaultApplicationName]).toEqual(
    servers[defaultApplicationName]!.map(() => ({ nice: 0, policy: normalPolicy })),
  )

  // A thread that dies is replaced, and the new one carries on with the outbox.
  await first!.terminate()
  await until(() => background!.restarts() === 1 && background!.thread() !== undefined, 'restart')
  expect(background.thread()).not.toBe(first)
  const b = await fileReport(2)
  await until(
    async () => (await indexedTrackingNos()).includes(b),
    'the second complaint is indexed',
  )
  await backgroundThreadYields()

  const running = background.thread()!
  const exited = new Promise<number>((resolve) => running.once('exit', resolve))
  await background.stop()
  expect(await exited).toBe(0)
  expect(background.thread()).toBeUndefined()
  expect(background.restarts()).toBe(1)
  background = undefined
})
