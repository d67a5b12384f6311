import { Hono } from 'hono'
import { sql } from 'kysely'
import { loadConfig } from '../api/config.ts'
import { parseWebhookSecrets, verifyWebhook } from '../api/hotline/signature.ts'
import { encryptField, parsePiiKeys } from '../api/privacy/pii.ts'
import { createDb } from '../db/client.ts'
import { serveFetch } from './serve.ts'

/**
 * The hotline benchmark's baseline: the least a correct receiver must do, as a bare Hono handler
 * on the same PostgreSQL with the same pool size and the product's `synchronous_commit` (on). It
 * reads the raw body, verifies its Standard Webhooks signature with the same code and secret as
 * the product, seals the body (a dispatch carries the caller's name and phone) and stores it with
 * one durable INSERT keyed by its `webhook-id` (a retry changes nothing), into a table of its own
 * with only that key (bench/hotline.ts creates it); then it answers 202, logging one line per
 * request as the product does. What the inbound route adds on top (the event's schema, the stored
 * answer, the columns and indexes the inbox worker reads by, group commit) is what the ratio
 * measures.
 */
const config = loadConfig()
const secrets = parseWebhookSecrets(config.HOTLINE_WEBHOOK_SECRET!)
const ring = parsePiiKeys(config.PII_KEYS!)
const db = createDb({ connectionString: config.DATABASE_URL!, max: config.DATABASE_POOL_SIZE })
const app = new Hono()
app.post('/bare', async (c) => {
  const started = performance.now()
  const body = await c.req.text()
  const verified = verifyWebhook({
    secrets,
    headers: {
      id: c.req.header('webhook-id'),
      timestamp: c.req.header('webhook-timestamp'),
      signature: c.req.header('webhook-signature'),
    },
    body,
  })
  let status: 202 | 401 = 401
  if (verified.ok) {
    const sealed = encryptField(ring, body, `bench_bare_inbox:${verified.id}`)
    await sql`
      INSERT INTO bench_bare_inbox (webhook_id, pii_key_id, body_sealed)
      VALUES (${verified.id}, ${sealed.keyId}, ${sealed.sealed})
      ON CONFLICT DO NOTHING
    `.execute(db)
    status = 202
  }
  console.log(
    JSON.stringify({
      method: 'POST',
      path: '/bare',
      status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    }),
  )
  return c.json({ received: verified.ok }, status)
})
serveFetch(
  (request) => app.fetch(request),
  config.PORT,
  () => db.destroy(),
)
