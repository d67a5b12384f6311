import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest'
import { parseConfig } from '../../api/config.ts'
import { sessionCookieName } from '../../api/services/admin/sessions.ts'
import { createDb, type Db } from '../../db/client.ts'
import { newTicketNo, singleEventSequence } from '../../scripts/hotline/events.ts'
import type { ReceivedCallback } from '../../scripts/hotline/receiver.ts'
import { simulatorSecrets } from '../../scripts/hotline/secrets.ts'
import { sendSteps } from '../../scripts/hotline/send.ts'
import { openSession, textsOf, watchedPage, type Session } from '../support/browser.ts'
import { operatorSession } from '../support/operators.ts'

/**
 * Issue 5, acceptance 5: the simulator dispatches a ticket to the running product; it is in the
 * console's queue within 5 s; a handler signs and completes it in the browser; the simulator's
 * receiver gets ticket.signed, then ticket.completed, each with a valid signature.
 */
let session: Session
let db: Db
let secrets: { webhookSecret: string; callbackSecret: string }
const county = '331124'
const tag = randomBytes(3).toString('hex')

/** What the simulator's receiver, listening for the whole run, has been sent so far. */
const receivedCallbacks = (): ReceivedCallback[] => {
  let lines: string
  try {
    lines = readFileSync(inject('hotlineCallbacksFile'), 'utf8')
  } catch (error) {
    // Nothing delivered yet: the receiver makes the file at the first callback.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw error
  }
  return lines
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ReceivedCallback)
}

/** Beijing time as a datetime-local field takes it, `minutes` from now. */
const beijingLocal = (minutes: number) =>
  new Date(Date.now() + minutes * 60_000 + 8 * 3600_000).toISOString().slice(0, 16)

beforeAll(async () => {
  session = await openSession()
  db = createDb({ connectionString: inject('siteDatabaseUrl'), max: 1 })
  // The product generated its development secrets at start, under its own data folder.
  secrets = simulatorSecrets(parseConfig({ NODE_ENV: 'test', DATA_DIR: inject('siteDataDir') }))
  const { token } = await operatorSession(db, 'county_handler', county, `e2ehotline${tag}`)
  await session.withJs.addCookies([{ name: sessionCookieName, value: token, url: session.baseUrl }])
})
afterAll(async () => {
  await session.close()
  await db.destroy()
})

describe('a 12345 ticket from dispatch to the completion callback', () => {
  test('appears in the queue within 5 s, is signed and completed, and both callbacks arrive signed and in order', async () => {
    const ticketNo = newTicketNo(new Date())
    const sent = performance.now()
    const [dispatched] = await sendSteps({
      url: session.baseUrl,
      secret: secrets.webhookSecret,
      steps: singleEventSequence('dispatch', { ticketNo, county, now: new Date() }),
    })
    expect(dispatched?.status).toBe(202)

    // The queue page, reloaded until the case is listed.
    const { page, problems } = await watchedPage(session.withJs)
    let trackingNo: string | undefined
    for (;;) {
      const found = await db
        .selectFrom('hotlineTickets as t')
        .innerJoin('complaints as c', 'c.id', 't.complaintId')
        .select('c.trackingNo')
        .where('t.ticketNo', '=', ticketNo)
        .executeTakeFirst()
      trackingNo = found?.trackingNo
      if (trackingNo) {
        await page.goto('/admin/cases?channel=hotline12345')
        const numbers = await textsOf(page, '.case-table tbody tr td:first-child')
        if (numbers.includes(trackingNo)) break
      }
      if (performance.now() - sent > 5_000) break
      await new Promise((r) => setTimeout(r, 100))
    }
    const visibleAfterMs = performance.now() - sent
    expect(trackingNo, 'the dispatched ticket became a case').toBeDefined()
    expect(visibleAfterMs).toBeLessThan(5_000)

    await page.getByRole('link', { name: trackingNo! }).click()
    await page.waitForURL((url) => url.pathname.startsWith('/admin/cases/'))
    expect(await page.content()).toContain(ticketNo)
    expect(await textsOf(page, '#case-status')).toEqual(['已接收'])

    await page.getByRole('button', { name: '签收', exact: true }).click()
    await page.waitForURL((url) => url.searchParams.get('done') === 'sign')
    expect(await textsOf(page, '#case-status')).toEqual(['已受理'])

    const reply = `经现场核查，摊位电子秤已送检，商户退还差价（${tag}）。`
    await page.getByLabel('核查认定', { exact: true }).selectOption('substantiated')
    await page.getByLabel('后续处理', { exact: true }).selectOption('ordered')
    await page.getByRole('group', { name: '问题是否已解决' }).getByLabel('是').check()
    await page
      .getByLabel('办理情况（发给热线）')
      .fill(`现场核查电子秤，偏差超差，责令整改（${tag}）。`)
    await page.getByLabel('给诉求人的答复（公开）').fill(reply)
    await page.getByLabel('联系诉求人的时间').fill(beijingLocal(-30))
    await page.getByRole('button', { name: '办结反馈', exact: true }).click()
    await page.waitForURL((url) => url.searchParams.get('done') === 'report_completion')
    expect(await textsOf(page, '#case-status')).toEqual(['已办结'])
    expect(problems).toEqual([])

    // Both callbacks reach the simulator's receiver (the first try is at once).
    const deadline = Date.now() + 20_000
    const ours = () => receivedCallbacks().filter((r) => r.ticketNo === ticketNo)
    while (ours().length < 2 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100))
    }
    expect(ours().map((r) => [r.type, r.valid, r.wellFormed])).toEqual([
      ['ticket.signed', true, true],
      ['ticket.completed', true, true],
    ])
    const completed = JSON.parse(ours()[1]!.body) as { detail: Record<string, unknown> }
    expect(completed.detail).toMatchObject({
      is_substantiated: true,
      resolved: true,
      public_reply: reply,
    })

    // The console shows both as delivered.
    await page.reload()
    const deliveries = (await textsOf(page, '#case-hotline')).join('\n')
    expect(deliveries).toMatch(/签收[\s\S]*已送达/)
    expect(deliveries).toMatch(/办结反馈[\s\S]*已送达/)
  })

  test('an urged ticket is flagged 催办 in the queue and on its page', async () => {
    const ticketNo = newTicketNo(new Date())
    const now = new Date()
    const answers = await sendSteps({
      url: session.baseUrl,
      secret: secrets.webhookSecret,
      steps: [
        ...singleEventSequence('dispatch', { ticketNo, county, now }),
        ...singleEventSequence('urge', { ticketNo, county, now: new Date(now.getTime() + 1_000) }),
      ],
    })
    expect(answers.map((a) => a.status)).toEqual([202, 202])

    // Once the worker has applied both, the queue and the case page say so in words.
    let trackingNo: string | undefined
    for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
      const found = await db
        .selectFrom('hotlineTickets as t')
        .innerJoin('complaints as c', 'c.id', 't.complaintId')
        .select(['c.trackingNo', 'c.priority'])
        .where('t.ticketNo', '=', ticketNo)
        .executeTakeFirst()
      if (found?.priority === 1) {
        trackingNo = found.trackingNo
        break
      }
      await new Promise((r) => setTimeout(r, 100))
    }
    expect(trackingNo, 'the urge was applied to the case').toBeDefined()
    const { page, problems } = await watchedPage(session.withJs)
    await page.goto('/admin/cases?channel=hotline12345')
    const row = page.locator('.case-table tbody tr', { hasText: trackingNo! })
    expect(await row.locator('td').first().innerText()).toMatch(/催办/)
    await page.getByRole('link', { name: trackingNo! }).click()
    await page.waitForURL((url) => url.pathname.startsWith('/admin/cases/'))
    const status = page.locator('dd', { has: page.locator('#case-status') })
    expect(await status.innerText()).toMatch(/已接收\s*12345 催办/)
    expect(problems).toEqual([])
  })
})
