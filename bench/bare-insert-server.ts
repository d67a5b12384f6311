import { createHash } from 'node:crypto'
import { Hono } from 'hono'
import { sql } from 'kysely'
import { loadConfig } from '../api/config.ts'
import { beijingDate } from '../api/domain/beijing-time.ts'
import { contactAad, encryptField, parseHashKey, parsePiiKeys } from '../api/privacy/pii.ts'
import { newQueryCode, newTrackingNo, queryCodeHash } from '../api/services/complaints/codes.ts'
import { createDb } from '../db/client.ts'
import { serveFetch } from './serve.ts'

/**
 * The intake benchmark's baseline: the least a correct intake must do, as a bare Hono handler on
 * the same PostgreSQL with the same pool size and the product's `synchronous_commit` (on: the
 * commit's WAL is flushed before the answer). It parses the JSON, checks only that the fields a
 * complaint needs are there, draws a tracking number and a query code, seals the name and phone
 * (personal data is never stored in the clear) and the receipt, and in one statement (one durable
 * transaction) inserts the idempotency row (the key claimed), the complaint row and its outbox row
 * into tables of its own with only the keys a correct system needs (bench/intake.ts creates them).
 * It logs one line per request as the product does. What intake adds on top (the full schema, the
 * county check, the abuse limits, the deadline, the timeline, group commit, the product's indexes)
 * is what the ratio measures.
 */
const config = loadConfig()
const ring = parsePiiKeys(config.PII_KEYS!)
const hashKey = parseHashKey(config.PII_HASH_KEY!)
const db = createDb({ connectionString: config.DATABASE_URL!, max: config.DATABASE_POOL_SIZE })
const required = ['kind', 'category', 'county', 'merchantName', 'address', 'occurredAt']

const trackingNoKey = 'bench_bare_complaints_tracking_no_key'

/** One statement, so one durable transaction: the key claimed, the complaint, its outbox row. */
async function file(key: string, rest: object, name: unknown, phone: unknown) {
  const trackingNo = newTrackingNo(beijingDate())
  const queryCode = newQueryCode()
  const seal = (value: unknown, field: 'name' | 'phone') =>
    typeof value === 'string'
      ? encryptField(ring, value, contactAad(trackingNo, field)).sealed
      : null
  const answer = encryptField(ring, JSON.stringify({ trackingNo, queryCode }), `idempotency:${key}`)
  const { rows } = await sql<{ id: string }>`
    WITH claimed AS (
      INSERT INTO bench_bare_idempotency (key, complaint_id, pii_key_id, response_sealed)
      VALUES (${key}, nextval('bench_bare_complaint_ids'), ${answer.keyId}, ${answer.sealed})
      ON CONFLICT DO NOTHING
      RETURNING complaint_id
    ), filed AS (
      INSERT INTO bench_bare_complaints
        (id, tracking_no, query_code_hash, fields, pii_key_id, name_sealed, phone_sealed)
      SELECT complaint_id, ${trackingNo}, ${queryCodeHash(hashKey, trackingNo, queryCode)},
             ${JSON.stringify(rest)}, ${answer.keyId}, ${seal(name, 'name')}, ${seal(phone, 'phone')}
      FROM claimed
      RETURNING id
    ), queued AS (
      INSERT INTO bench_bare_outbox (aggregate_key, payload)
      SELECT 'complaint:' || id, jsonb_build_object('id', id::text) FROM filed
    )
    SELECT id FROM filed
  `.execute(db)
  return { trackingNo, queryCode, rows }
}

const app = new Hono()
app.post('/bare', async (c) => {
  const started = performance.now()
  const body = await c.req.text()
  let fields: Record<string, unknown>
  try {
    fields = JSON.parse(body) as Record<string, unknown>
  } catch {
    return c.json({ error: 'bad json' }, 400)
  }
  if (required.some((f) => typeof fields[f] !== 'string')) return c.json({ error: 'missing' }, 400)
  const { name, phone, ...rest } = fields
  // Without an Idempotency-Key, the same content from the same address is one submission.
  const key =
    c.req.header('idempotency-key') ??
    createHash('sha256')
      .update(`${c.req.header('x-forwarded-for') ?? ''}\n${body}`)
      .digest('base64url')
  // A random tracking number another complaint has is drawn again, as the product does.
  let filed: { trackingNo: string; queryCode: string; rows: { id: string }[] } | undefined
  for (let draws = 0; !filed; draws++) {
    try {
      filed = await file(key, rest, name, phone)
    } catch (error) {
      const taken = (error as { constraint?: string }).constraint === trackingNoKey
      if (!taken || draws === 4) throw error
    }
  }
  const { trackingNo, queryCode, rows } = filed
  const status = rows.length === 1 ? 201 : 409
  console.log(
    JSON.stringify({
      method: 'POST',
      path: '/bare',
      status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    }),
  )
  return c.json({ trackingNo, queryCode }, status)
})
serveFetch(
  (request) => app.fetch(request),
  config.PORT,
  () => db.destroy(),
)
