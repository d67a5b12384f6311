import { Hono } from 'hono'
import { loadConfig } from '../api/config.ts'
import { beijingDate } from '../api/domain/beijing-time.ts'
import { createDb } from '../db/client.ts'
import { gradeOf } from '../db/queries/credit-grades.ts'
import { loadCreditRecord } from '../db/queries/credit-record.ts'
import { findEnterprise } from '../db/queries/enterprises.ts'
import { serveFetch } from './serve.ts'

/**
 * The credit-record benchmark's baseline: a bare Hono handler that runs the same indexed queries
 * as GET /api/enterprises/{uscc}/record (the business, its grade, the record reader) on the same
 * PostgreSQL with the same pool size and answers their rows as JSON, logging one line per request
 * as the product does. What the route adds on top (validation, the per-address count, labels,
 * the ETag, the error shape, request ids and headers) is what the ratio measures.
 */
const config = loadConfig()
const db = createDb({ connectionString: config.DATABASE_URL!, max: config.DATABASE_POOL_SIZE })
const app = new Hono()
app.get('/bare/:uscc', async (c) => {
  const started = performance.now()
  const uscc = c.req.param('uscc')
  const [business, grade, record] = await Promise.all([
    findEnterprise(db, uscc),
    gradeOf(db, uscc),
    loadCreditRecord(db, uscc, beijingDate()),
  ])
  const status = business ? 200 : 404
  console.log(
    JSON.stringify({
      method: 'GET',
      path: '/bare',
      status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    }),
  )
  return c.json({ business, grade, record }, status)
})
serveFetch(
  (request) => app.fetch(request),
  config.PORT,
  () => db.destroy(),
)
