import { Webhook } from 'standardwebhooks'
import { describe, expect, it } from 'vitest'
import {
  hotlineCallbackSchema,
  hotlineCallbackTypes,
  hotlineEventLabels,
  hotlineEventSchema,
  hotlineEventTypes,
  hotlineTicketSchema,
} from '../../api/services/hotline/events.ts'
import { callbackRetryDelaysMs as retryDelaysMs } from '../../api/services/shared/queue-policy.ts'
import { verifyFailureMessages } from '../../api/services/hotline/inbox.ts'
import {
  parseWebhookSecret,
  timestampToleranceSeconds,
  verifyWebhook,
} from '../../api/hotline/signature.ts'
import { issueDetails } from '../../api/validation.ts'
import { exampleTicket } from '../../api/services/hotline/examples.ts'
import {
  answerExamples,
  callbackExamples,
  eventExamples,
  invalidEventExample,
  retrySchedule,
  signingExample,
  ticketFields,
} from '../../site/lib/hotline-examples.ts'

/** The vendor page (/developers/12345) shows these examples; each must hold against the code. */
describe('the 12345 vendor page examples', () => {
  it('shows one valid example of each of the nine events, under its contract name', () => {
    expect(eventExamples.map((e) => e.type)).toEqual([...hotlineEventTypes])
    for (const { type, label, example } of eventExamples) {
      const parsed = hotlineEventSchema.safeParse(example)
      expect(parsed.error?.issues ?? [], type).toEqual([])
      expect(example.type).toBe(type)
      expect(label).toBe(hotlineEventLabels[type])
    }
  })

  it('shows one valid example of each of the five callbacks', () => {
    expect(callbackExamples.map((c) => c.type)).toEqual([...hotlineCallbackTypes])
    for (const { type, example } of callbackExamples) {
      const parsed = hotlineCallbackSchema.safeParse(example)
      expect(parsed.error?.issues ?? [], type).toEqual([])
      expect(example.type).toBe(type)
    }
  })

  it('lists every ticket field, marking exactly the required ones', () => {
    const schemaFields = Object.keys(hotlineTicketSchema.shape)
    expect(ticketFields.map((f) => f.name).sort()).toEqual([...schemaFields].sort())
    expect(Object.keys(exampleTicket).sort()).toEqual([...schemaFields].sort())
    for (const field of ticketFields) {
      const rest = Object.fromEntries(
        Object.entries(exampleTicket).filter(([name]) => name !== field.name),
      )
      const accepted = hotlineTicketSchema.safeParse(rest).success
      expect(accepted, `${field.name} required: ${field.required}`).toBe(!field.required)
    }
  })

  it('answers the invalid example with exactly the 400 the page shows', () => {
    const parsed = hotlineEventSchema.safeParse(invalidEventExample.event)
    expect(parsed.success).toBe(false)
    const details = issueDetails(parsed.error!)
    const { error } = invalidEventExample.body
    expect(error.details).toEqual(details)
    expect(error.message).toBe(
      `事件内容有误：${[...new Set(details.map((d) => d.message))].join(' ')}`,
    )
  })

  it('shows the 202, 400 and 401 answers with the messages the code gives', () => {
    expect(answerExamples.map((a) => a.status)).toEqual([202, 400, 401])
    const unauthorized = answerExamples[2]!.body as { error: { message: string } }
    expect(unauthorized.error.message).toBe(verifyFailureMessages.bad_signature)
  })

  it('lists the retry schedule the delivery uses', () => {
    const spoken = retryDelaysMs.map((ms) =>
      ms < 60_000
        ? `${ms / 1000} 秒`
        : ms < 3600_000
          ? `${ms / 60_000} 分钟`
          : `${ms / 3600_000} 小时`,
    )
    expect(retrySchedule).toEqual(spoken)
    expect(timestampToleranceSeconds).toBe(5 * 60)
  })

  it('signs its worked example as the standardwebhooks library and our verifier do', () => {
    const { secret, webhookId, timestamp, body, headers } = signingExample
    const signature = new Webhook(secret).sign(webhookId, new Date(timestamp * 1000), body)
    expect(headers['webhook-signature']).toBe(signature)
    expect(headers['webhook-timestamp']).toBe(String(timestamp))
    const verified = verifyWebhook({
      secrets: [parseWebhookSecret(secret)],
      headers: { id: webhookId, timestamp: String(timestamp), signature },
      body,
      now: new Date(timestamp * 1000),
    })
    expect(verified.ok).toBe(true)
  })
})
