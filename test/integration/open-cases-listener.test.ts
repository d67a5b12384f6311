import { request } from 'node:http'
import { createServer } from 'node:net'
import { afterAll, beforeAll, expect, inject, it } from 'vitest'
import {
  backgroundThreadName,
  startBackgroundWork,
  type BackgroundWork,
} from '../../api/worker/background-thread.ts'
import { backgroundNice } from '../../api/worker/priority.ts'
import { freePort } from '../../scripts/stack/ports.ts'
import { idlePolicy, threadsNamed } from '../support/processes.ts'
import {
  casesWorld,
  countyA,
  drainOutbox,
  fileCase,
  type CasesWorld,
} from './admin-cases-support.ts'

/**
 * The filing form's count on a port of its own (OPEN_CASES_PORT, issue 25 acceptance 7): the
 * background thread answers it at idle priority with the API's own app, exactly as the web
 * server answers the same path, and answers nothing else there.
 */

let w: CasesWorld
let background: BackgroundWork | undefined
let port: number

beforeAll(async () => {
  w = await casesWorld()
  port = await freePort()
})
afterAll(async () => {
  await background?.stop()
  await w.stop()
})

interface Answer {
  status: number
  headers: Record<string, string | string[] | undefined>
  body: string
}

function ask(path: string, method = 'GET', body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method }, (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (text += chunk))
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }),
      )
    })
    req.on('error', reject)
    if (body) req.setHeader('content-type', 'application/json')
    req.end(body)
  })
}

async function until<T>(check: () => Promise<T | undefined> | T | undefined, what: string) {
  const deadline = Date.now() + 20_000
  for (;;) {
    const value = await Promise.resolve(check()).catch(() => undefined)
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** The background thread with the outbox work off: it runs for the listener alone. */
const startListenerThread = () =>
  startBackgroundWork({
    config: { ...w.t.deps.config, WORKER_ENABLED: false, OPEN_CASES_PORT: port },
    databaseUrl: w.t.databaseUrl,
    meiliUrl: inject('meiliUrl'),
    meiliKey: inject('meiliKey'),
    logger: w.t.deps.logger,
  })

const stall = { merchantName: '万象菜场 88 号摊位', address: '莲都区万象菜场 88 号' }
const countPath = (query: Record<string, string>) =>
  `/api/complaints/open-cases?${new URLSearchParams(query).toString()}`

it('answers the count on its own port at idle priority, as the web server does, and nothing else', async () => {
  await fileCase(w.app, w.t, { county: countyA, ...stall })
  await fileCase(w.app, w.t, { county: countyA, ...stall })
  // The outbox files each complaint under its business, which the count reads.
  await drainOutbox(w.t)
  background = startListenerThread()
  const path = countPath({ county: countyA, ...stall })
  const answer = await until(() => ask(path), 'the count listener answers')
  const firstAskedAt = Date.now()
  const direct = await w.app.request(path)
  expect(answer.status).toBe(200)
  expect(JSON.parse(answer.body)).toEqual({
    identified: true,
    count: 2,
    message:
      '已有 2 件关于该单位的投诉举报正在办理。您仍然可以提交，您反映的情况会单独登记，并与这些投诉举报一并处理。',
  })
  expect(JSON.parse(answer.body)).toEqual(await direct.json())
  // The app's own headers: cacheable for 10 s, and the API's security headers.
  for (const name of [
    'cache-control',
    'content-type',
    'content-security-policy',
    'x-content-type-options',
    'cross-origin-resource-policy',
  ]) {
    expect(answer.headers[name], name).toBe(direct.headers.get(name))
  }
  expect(answer.headers['cache-control']).toBe('public, max-age=10')
  expect(answer.headers['x-request-id']).toMatch(/\S/)

  // Asked again, the same answer is sent as kept, with a request id of its own and the
  // freshness it has left; another business is the app's to answer.
  await new Promise((r) => setTimeout(r, 1_100))
  const again = await ask(path)
  expect(again.body).toBe(answer.body)
  expect(again.headers['x-request-id']).not.toBe(answer.headers['x-request-id'])
  // The app would say 10 again; a kept answer says what is left of the first one's 10 s.
  expect(again.headers['cache-control']).toMatch(/^public, max-age=[0-8]$/)
  expect(again.headers['content-security-policy']).toBe(answer.headers['content-security-policy'])
  const other = await ask(
    countPath({ county: countyA, ...stall, merchantName: '万象菜场 89 号摊位' }),
  )
  expect(JSON.parse(other.body)).toMatchObject({ identified: true, count: 0 })

  // A new case shows once the kept answer's 10 s are over, not before.
  await fileCase(w.app, w.t, { county: countyA, ...stall })
  await drainOutbox(w.t)
  expect(JSON.parse((await ask(path)).body)).toMatchObject({ count: 2 })
  await until(
    async () => (JSON.parse((await ask(path)).body) as { count: number }).count === 3 || undefined,
    'the third case is counted',
  )
  // Kept from the first ask for its 10 s (the count itself is reused as long), and no longer.
  expect(Date.now() - firstAskedAt).toBeGreaterThanOrEqual(9_000)
  expect(Date.now() - firstAskedAt).toBeLessThan(21_000)

  // A wrong field gets the route's own Chinese message.
  const wrong = await ask(countPath({ county: '999999', ...stall }))
  expect(wrong.status).toBe(400)
  expect(wrong.body).toContain('请选择事发区县')

  // The thread answering runs only on idle CPU, at nice 10.
  const threads = threadsNamed(backgroundThreadName)
  expect(threads.length).toBe(1)
  await until(
    () =>
      threadsNamed(backgroundThreadName).every(
        (s) => s.policy === idlePolicy && s.nice === backgroundNice,
      ) || undefined,
    'the listener thread runs only when the CPU is idle',
  )

  // Nothing but the count is answered here: not intake, not another read.
  const filing = await ask(
    '/api/complaints',
    'POST',
    JSON.stringify({ kind: 'complaint', county: countyA, ...stall }),
  )
  expect(filing.status).toBe(404)
  const refusal = JSON.parse(filing.body) as { error: { code: string; message: string } }
  expect(refusal.error.code).toBe('NOT_FOUND')
  expect(refusal.error.message).toContain('/api/complaints/open-cases')
  expect((await ask('/api/openapi.json')).status).toBe(404)
  // Only GET and HEAD: the app's router refuses the rest of this path as the web server does.
  expect((await ask(path, 'POST', '{}')).status).toBe(404)

  // Stopped, the port is closed.
  await background.stop()
  background = undefined
  await expect(ask(path)).rejects.toThrow(/ECONNREFUSED/)
})

it('keeps the thread running when the count port is taken, and the web port still answers', async () => {
  const taken = createServer()
  await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve))
  try {
    background = startListenerThread()
    const thread = await until(() => background?.thread(), 'the thread starts')
    await until(
      () => threadsNamed(backgroundThreadName).length === 1 || undefined,
      'the thread runs',
    )
    // Long enough for the failed listen to have ended the thread, had it done so.
    await new Promise((r) => setTimeout(r, 2_000))
    expect(background.thread()).toBe(thread)
    expect(background.restarts()).toBe(0)
    const res = await w.app.request(countPath({ county: countyA, ...stall }))
    expect(res.status).toBe(200)
  } finally {
    await background?.stop()
    background = undefined
    await new Promise<void>((resolve) => taken.close(() => resolve()))
  }
})
