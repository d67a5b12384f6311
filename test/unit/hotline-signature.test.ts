import { Webhook } from 'standardwebhooks'
import { describe, expect, it } from 'vitest'
import {
  generateWebhookSecret,
  newWebhookId,
  parseWebhookSecret,
  parseWebhookSecrets,
  signWebhook,
  verifyWebhook,
} from '../../api/hotline/signature.ts'

const body = JSON.stringify({
  type: 'ticket.urged',
  occurred_at: '2026-11-26T10:00:00+08:00',
  ticket: { ticket_no: 'LS12345-20261126-000123' },
  detail: {},
})
const now = new Date('2026-11-26T02:00:00Z')

/** Headers as the hotline's own Standard Webhooks library would send them. */
function official(secret: string, payload = body, at = now, id = newWebhookId()) {
  return {
    id,
    timestamp: String(Math.floor(at.getTime() / 1000)),
    signature: new Webhook(secret).sign(id, at, payload),
  }
}

const verify = (
  secrets: string,
  headers: Parameters<typeof verifyWebhook>[0]['headers'],
  payload = body,
  at = now,
) => verifyWebhook({ secrets: parseWebhookSecrets(secrets), headers, body: payload, now: at })

describe('Standard Webhooks verification of inbound 12345 events', () => {
  const secret = generateWebhookSecret()

  it('accepts a signature made by the official standardwebhooks package', () => {
    const headers = official(secret)
    const result = verify(secret, headers)
    expect(result).toEqual({
      ok: true,
      id: headers.id,
      timestamp: new Date(Math.floor(now.getTime() / 1000) * 1000),
    })
  })

  it('lets the official package verify what we sign (callbacks use the same scheme)', () => {
    const id = newWebhookId()
    const headers = signWebhook(parseWebhookSecret(secret), id, Date.now() / 1000, body)
    expect(() => new Webhook(secret).verify(body, headers)).not.toThrow()
  })

  it('rejects a webhook signed with another secret', () => {
    expect(verify(secret, official(generateWebhookSecret()))).toEqual({
      ok: false,
      reason: 'bad_signature',
    })
  })

  it('rejects a body changed by one byte', () => {
    const headers = official(secret)
    const changed = body.replace('10:00:00', '10:00:01')
    expect(changed).toHaveLength(body.length)
    expect(verify(secret, headers, changed)).toEqual({ ok: false, reason: 'bad_signature' })
  })

  it('rejects a timestamp six minutes off either way, and accepts one four minutes off', () => {
    for (const offset of [-6, 6]) {
      const at = new Date(now.getTime() + offset * 60_000)
      expect(verify(secret, official(secret, body, at))).toEqual({
        ok: false,
        reason: 'timestamp_out_of_range',
      })
    }
    const near = new Date(now.getTime() - 4 * 60_000)
    expect(verify(secret, official(secret, body, near)).ok).toBe(true)
  })

  it('rejects a delivery missing any of the three headers', () => {
    const headers = official(secret)
    for (const missing of ['id', 'timestamp', 'signature'] as const) {
      expect(verify(secret, { ...headers, [missing]: undefined })).toEqual({
        ok: false,
        reason: 'missing_headers',
      })
    }
  })

  it('rejects a timestamp that is not a number of seconds', () => {
    expect(verify(secret, { ...official(secret), timestamp: '2026-11-26T02:00:00Z' })).toEqual({
      ok: false,
      reason: 'bad_timestamp',
    })
  })

  it('accepts either secret while two are configured for a rotation', () => {
    const next = generateWebhookSecret()
    const both = `${secret} ${next}`
    expect(verify(both, official(secret)).ok).toBe(true)
    expect(verify(both, official(next)).ok).toBe(true)
    expect(verify(both, official(generateWebhookSecret())).ok).toBe(false)
  })

  it('accepts a header with several v1 signatures when one of them is valid', () => {
    const headers = official(secret)
    const forged = official(generateWebhookSecret(), body, now, headers.id).signature
    const signature = `${forged} v1a,${'A'.repeat(44)} ${headers.signature} v1,bm90LWEtbWFj`
    expect(verify(secret, { ...headers, signature }).ok).toBe(true)
    expect(verify(secret, { ...headers, signature: `${forged} v1,bm90LWEtbWFj` }).ok).toBe(false)
  })

  it('binds the signature to the webhook-id: the same signature under another id fails', () => {
    const headers = official(secret)
    expect(verify(secret, { ...headers, id: newWebhookId() }).ok).toBe(false)
  })
})
