import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { hotlineEventSchema } from '../../api/services/hotline/events.ts'
import {
  generateWebhookSecret,
  newWebhookId,
  parseWebhookSecret,
  signWebhook,
} from '../../api/hotline/signature.ts'
import { demoSequence, newTicketNo, sampleEvent } from '../../scripts/hotline/events.ts'
import { startCallbackReceiver, type ReceivedCallback } from '../../scripts/hotline/receiver.ts'
import { simulateSequence } from '../../scripts/hotline/send.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'

let t: TestContext
let server: http.Server
let url: string

/** The real app over real HTTP, as `npm start` serves it to the hotline. */
function serve(app: ReturnType<typeof createApp>) {
  return http.createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const headers = new Headers()
      for (const [name, value] of Object.entries(req.headers)) {
        if (typeof value === 'string') headers.set(name, value)
      }
      const body = chunks.length > 0 ? Buffer.concat(chunks) : null
      void Promise.resolve(
        app.fetch(
          new Request(`http://${req.headers.host}${req.url}`, {
            method: req.method ?? 'GET',
            headers,
            body,
          }),
        ),
      ).then(async (answer) => {
        res.writeHead(answer.status, Object.fromEntries(answer.headers))
        res.end(Buffer.from(await answer.arrayBuffer()))
      })
    })
  })
}

beforeAll(async () => {
  t = await createTestContext()
  server = serve(createApp(t.deps))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
})
afterAll(async () => {
  server.closeAllConnections()
  await new Promise((resolve) => server.close(resolve))
  await t.cleanup()
})

describe('npm run hotline:simulate against a running instance', () => {
  it('plays the demonstration and every answer is the one the contract gives', async () => {
    const ticketNo = newTicketNo(new Date())
    const lines: string[] = []
    const result = await simulateSequence({
      url,
      secret: t.deps.config.HOTLINE_WEBHOOK_SECRET!,
      ticketNo,
      county: '331102',
      now: new Date(),
      log: (line) => lines.push(line),
    })
    expect(result.results.map((r) => r.problem).filter(Boolean)).toEqual([])
    expect(result.ok).toBe(true)
    expect(result.results.map((r) => r.status)).toEqual([
      202, 202, 202, 202, 202, 202, 202, 202, 202, 401, 400,
    ])
    expect(lines.join('\n')).toContain('符合契约')

    // The forged event was not stored; every other one was, once.
    const stored = await t.deps.db
      .selectFrom('hotlineInbox')
      .select(['webhookId', 'state'])
      .where(
        'webhookId',
        'in',
        result.results.map((r) => r.step.webhookId),
      )
      .execute()
    const forged = result.results.find((r) => r.step.wrongSecret)!.step.webhookId
    expect(stored.map((s) => s.webhookId)).not.toContain(forged)
    expect(stored).toHaveLength(8)
    expect(stored.filter((s) => s.state === 'rejected')).toHaveLength(1)
  })

  it('reports an instance that answers otherwise, e.g. one that does not know the secret', async () => {
    const result = await simulateSequence({
      url,
      secret: generateWebhookSecret(),
      ticketNo: newTicketNo(new Date()),
      county: '331121',
      now: new Date(),
      only: 'dispatch',
    })
    expect(result.ok).toBe(false)
    expect(result.results[0]).toMatchObject({ status: 401 })
    expect(result.results[0]!.problem).toContain('202')
  })

  it('reports an instance it cannot reach', async () => {
    // A port that was just free: nothing listens there.
    const probe = http.createServer()
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
    const { port } = probe.address() as AddressInfo
    await new Promise((resolve) => probe.close(resolve))
    const result = await simulateSequence({
      url: `http://127.0.0.1:${port}`,
      secret: generateWebhookSecret(),
      ticketNo: newTicketNo(new Date()),
      county: '331102',
      now: new Date(),
    })
    expect(result.ok).toBe(false)
    expect(result.results).toHaveLength(1)
    expect(result.results[0]!.problem).toContain('npm start')
  })

  it('sends only events the schema accepts, but for the one meant to be refused', () => {
    const steps = demoSequence({
      ticketNo: 'LS12345-20261126-000001',
      county: '331102',
      now: new Date(),
    })
    for (const step of steps) {
      const parsed = hotlineEventSchema.safeParse(JSON.parse(step.body))
      expect(parsed.success, step.label).toBe(step.expect.kind !== 'invalid')
    }
  })
})

describe('the simulator callback receiver', () => {
  const secret = generateWebhookSecret()
  const received: ReceivedCallback[] = []
  let receiver: Awaited<ReturnType<typeof startCallbackReceiver>>
  beforeAll(async () => {
    receiver = await startCallbackReceiver({ port: 0, secret, onCallback: (c) => received.push(c) })
  })
  afterAll(() => receiver.close())

  const callback = {
    type: 'ticket.signed',
    occurred_at: '2026-11-26T10:12:00+08:00',
    ticket_no: 'LS12345-20261126-000123',
    detail: { handler_unit: '莲都区市场监督管理局' },
  }

  /** Posts as the instance's delivery does: signed by api/hotline/signature.ts. */
  async function deliver(signingSecret: string, id = newWebhookId()) {
    const body = JSON.stringify(callback)
    const headers = signWebhook(parseWebhookSecret(signingSecret), id, Date.now() / 1000, body)
    const res = await fetch(receiver.url, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body,
    })
    return { status: res.status, callback: received.at(-1)! }
  }

  it('reports a callback signed with the callback secret as valid, with its type and ticket', async () => {
    const { status, callback: got } = await deliver(secret)
    expect(status).toBe(204)
    expect(got).toMatchObject({
      type: 'ticket.signed',
      ticketNo: 'LS12345-20261126-000123',
      valid: true,
      wellFormed: true,
      duplicate: false,
    })
  })

  it('reports a callback signed with another secret as invalid and refuses it', async () => {
    const { status, callback: got } = await deliver(generateWebhookSecret())
    expect(status).toBe(401)
    expect(got.valid).toBe(false)
    expect(got.error).toMatch(/signature/i)
  })

  it('flags a retried delivery (same webhook-id) so a receiver knows to dedupe', async () => {
    const id = newWebhookId()
    expect((await deliver(secret, id)).callback.duplicate).toBe(false)
    expect((await deliver(secret, id)).callback.duplicate).toBe(true)
  })

  it('builds its sample events from the dispatched ticket it names', () => {
    const event = sampleEvent('ticket.dispatched', {
      ticketNo: 'LS12345-20261126-000002',
      county: '331181',
      now: new Date(),
    })
    expect(hotlineEventSchema.parse(event)).toMatchObject({
      ticket: { ticket_no: 'LS12345-20261126-000002', area_code: '331181' },
    })
  })
})
