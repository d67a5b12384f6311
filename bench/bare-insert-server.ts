import { Hono } from 'hono'
import { sql } from 'kysely'
import { loadConfig } from '../api/config.ts'
import { createDb } from '../db/client.ts'
import { serveFetch } from './serve.ts'

/**
 * The intake benchmark's baseline: a bare Hono handler that parses the JSON body and does one
 * INSERT into the same PostgreSQL, with the same pool size, logging one line per request as the
 * product does. What intake adds on top (validation, sealing, limits, deadline, timeline, outbox,
 * idempotency) is what the ratio measures.
 */
const config = loadConfig()
const db = createDb({ connectionString: config.DATABASE_URL!, max: config.DATABASE_POOL_SIZE })
const app = new Hono()
app.post('/bare', async (c) => {
  const started = performance.now()
  const body: unknown = await c.req.json()
  const { rows } = await sql<{
    id: string
  }>`INSERT INTO bench_bare (body) VALUES (${JSON.stringify(body)}) RETURNING id`.execute(db)
  console.log(
    JSON.stringify({
      method: 'POST',
      path: '/bare',
      status: 201,
      ms: Math.round((performance.now() - started) * 10) / 10,
    }),
  )
  return c.json({ id: rows[0]!.id }, 201)
})
serveFetch(
  (request) => app.fetch(request),
  config.PORT,
  () => db.destroy(),
)
