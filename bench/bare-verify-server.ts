import { Hono } from 'hono'
import { loadConfig } from '../api/config.ts'
import { parseWebhookSecrets, verifyWebhook } from '../api/hotline/signature.ts'
import { serveFetch } from './serve.ts'

/**
 * The hotline benchmark's baseline: a bare Hono handler that reads the raw body, verifies its
 * Standard Webhooks signature with the same code and secret as the product, and answers 202,
 * logging one line per request as the product does. What the inbound route adds on top (storing
 * the sealed event in the inbox before answering, the schema, the replay check) is what the ratio
 * measures.
 */
const config = loadConfig()
const secrets = parseWebhookSecrets(config.HOTLINE_WEBHOOK_SECRET!)
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
  const status = verified.ok ? 202 : 401
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
  () => Promise.resolve(),
)
