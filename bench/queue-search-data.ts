import type { KeyObject } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import { encryptField, phoneHash, type PiiKeyring } from '../api/privacy/pii.ts'
import { queryCodeHash } from '../api/services/complaints/codes.ts'
import { beijingDate } from '../api/domain/beijing-time.ts'
import type { ComplaintStatus, Database } from '../db/database.ts'
import { prng } from '../scripts/demo/generate.ts'
import { digits, pick, residentStory, weighted, type Random } from './queue-search-stories.ts'

const day = 24 * 3600 * 1000
/** Complaints received over the last 400 days, oldest first, so tracking numbers rise with time. */
const spanDays = 400

/** How likely each status is for a case up to so many days old. */
const statusByAge: [maxAgeDays: number, odds: [ComplaintStatus, number][]][] = [
  [
    7,
    [
      ['received', 70],
      ['accepted', 20],
      ['rejected', 10],
    ],
  ],
  [
    60,
    [
      ['received', 5], // overdue: the queue's red rows
      ['accepted', 30],
      ['in_progress', 35],
      ['resolved', 20],
      ['rejected', 10],
    ],
  ],
  [
    Infinity,
    [
      ['resolved', 30],
      ['closed', 55],
      ['rejected', 10],
      ['in_progress', 5],
    ],
  ],
]

const rejections = [
  ['not_metrology', '反映的问题不属于计量监督管理范围，已告知向相关部门反映。'],
  ['duplicate', '与已受理的投诉内容相同，合并处理。'],
  ['insufficient_info', '未能提供经营者名称和地址等必要信息，无法核实。'],
] as const

/**
 * Where a case received at `receivedAt` stands now, with the dates and results of its stages.
 * Deadlines use calendar days close to the legal working days (7 → 9, 15 → 21, 45 → 63): the
 * queue only sorts by them.
 */
function lifecycle(random: Random, kind: 'complaint' | 'report', receivedAt: number, now: number) {
  const age = (now - receivedAt) / day
  const status = weighted(random, statusByAge.find(([maxAge]) => age < maxAge)![1])
  const decided = status !== 'received' && status !== 'rejected'
  // Accepted within 6 days, resolved within 40 more, but never in the future.
  const later = (from: number, days: number) => from + random() * Math.min(days * day, now - from)
  const acceptedAt = decided ? later(receivedAt, 6) : null
  const done = status === 'resolved' || status === 'closed'
  const resolvedAt = done ? later(acceptedAt!, 40) : null
  const rejection = status === 'rejected' ? pick(random, rejections) : null
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString())
  return {
    status,
    due_at: iso(
      acceptedAt !== null && kind === 'complaint'
        ? acceptedAt + 63 * day
        : receivedAt + (kind === 'complaint' ? 9 : 21) * day,
    ),
    accepted_at: iso(acceptedAt),
    rejection_reason: rejection?.[0] ?? null,
    rejection_note: rejection?.[1] ?? null,
    mediation_result:
      done && kind === 'complaint'
        ? weighted(random, [
            ['agreed', 6],
            ['failed', 3],
            ['withdrawn', 1],
          ])
        : null,
    handling_result: done ? '经现场核查，责令经营者改正并退还差价。' : null,
    public_reply: done ? '您反映的问题已核查处理，经营者已整改，感谢您的监督。' : null,
    resolved_at: iso(resolvedAt),
    closed_at: iso(status === 'closed' ? Math.min(now - 1_000, resolvedAt! + 15 * day) : null),
  }
}

/** The columns filled and their SQL types, in the order of the unnest below. */
const columnTypes = {
  tracking_no: 'text',
  query_code_hash: 'bytea',
  kind: 'text',
  category: 'text',
  channel: 'text',
  county_code: 'text',
  merchant_name: 'text',
  address: 'text',
  occurred_at: 'timestamptz',
  description: 'text',
  pii_key_id: 'text',
  name_sealed: 'bytea',
  phone_sealed: 'bytea',
  phone_hash: 'bytea',
  claimed_quantity: 'numeric',
  measured_quantity: 'numeric',
  unit: 'text',
  unit_price: 'numeric',
  shortfall_amount: 'numeric',
  status: 'text',
  received_at: 'timestamptz',
  due_at: 'timestamptz',
  accepted_at: 'timestamptz',
  rejection_reason: 'text',
  rejection_note: 'text',
  mediation_result: 'text',
  handling_result: 'text',
  public_reply: 'text',
  resolved_at: 'timestamptz',
  closed_at: 'timestamptz',
} as const
type Column = keyof typeof columnTypes
const columns = Object.keys(columnTypes) as Column[]

export interface SyntheticComplaints {
  inserted: number
  /** Complaints per county code. */
  perCounty: Record<string, number>
  /** The tracking number of `sampleCounty`'s most recent complaint, to search by its day. */
  newestTrackingNo: string | undefined
}

/**
 * Inserts `count` synthetic complaints, `batchSize` rows per INSERT … SELECT FROM unnest(…), with
 * the constraints intake obeys: a 投诉 carries a name and phone sealed under `ring` (with the aad
 * intake uses, so a server holding that ring could open them), tracking numbers in intake's
 * format and in time order, and a keyed hash of a query code no one is told. Deterministic apart
 * from the sealing's random IVs and the current time. No timeline entries or outbox rows: the
 * queue reads neither.
 */
export async function insertSyntheticComplaints(
  db: Kysely<Database>,
  options: {
    count: number
    ring: PiiKeyring
    hashKey: KeyObject
    sampleCounty: string
    batchSize?: number
    onProgress?: (done: number) => void
  },
): Promise<SyntheticComplaints> {
  const random = prng(20261127)
  const now = Date.now()
  const step = (spanDays * day - 3600_000) / options.count
  const batchSize = options.batchSize ?? 5_000
  const perCounty: Record<string, number> = {}
  let newest: string | undefined
  for (let first = 0; first < options.count; first += batchSize) {
    const arrays = Object.fromEntries(columns.map((c) => [c, [] as unknown[]])) as Record<
      Column,
      unknown[]
    >
    for (let i = first; i < Math.min(options.count, first + batchSize); i++) {
      const receivedAt = now - spanDays * day + (i + random()) * step
      // Today's form (codes.ts), with the row's index for digits: unique without a draw.
      const serial = String(i + 1).padStart(8, '0')
      const trackingNo = `JL${beijingDate(new Date(receivedAt)).replaceAll('-', '')}-${serial.slice(0, 4)}-${serial.slice(4)}`
      const story = residentStory(random)
      const kind = random() < 0.7 ? 'complaint' : 'report'
      const channel = random() < 0.2 ? 'hotline12345' : 'web'
      const seal = (value: string, field: string) =>
        encryptField(options.ring, value, `complaints:${trackingNo}:${field}`).sealed
      const contact = kind === 'complaint'
      const f = story.figures
      const row: Record<Column, unknown> = {
        tracking_no: trackingNo,
        query_code_hash: queryCodeHash(options.hashKey, trackingNo, digits(random, 8)),
        kind,
        category: story.category,
        channel,
        county_code: story.countyCode,
        merchant_name: story.merchantName,
        address: story.address,
        occurred_at: new Date(receivedAt - random() * 3 * day).toISOString(),
        description:
          channel === 'hotline12345' ? `12345转办：${story.description}` : story.description,
        pii_key_id: contact ? options.ring.currentId : null,
        name_sealed: contact ? seal(story.name, 'name') : null,
        phone_sealed: contact ? seal(story.phone, 'phone') : null,
        phone_hash: contact ? phoneHash(options.hashKey, story.phone) : null,
        claimed_quantity: f?.claimed ?? null,
        measured_quantity: f?.measured ?? null,
        unit: f ? 'jin' : null,
        unit_price: f?.unitPrice ?? null,
        shortfall_amount: f ? Math.round((f.claimed - f.measured) * f.unitPrice * 100) / 100 : null,
        received_at: new Date(receivedAt).toISOString(),
        ...lifecycle(random, kind, receivedAt, now),
      }
      for (const c of columns) arrays[c].push(row[c])
      perCounty[story.countyCode] = (perCounty[story.countyCode] ?? 0) + 1
      if (story.countyCode === options.sampleCounty) newest = trackingNo
    }
    const unnested = sql.join(columns.map((c) => sql`${arrays[c]}::${sql.raw(columnTypes[c])}[]`))
    await sql`
      INSERT INTO complaints (${sql.join(columns.map((c) => sql.ref(c)))})
      SELECT * FROM unnest(${unnested})
    `.execute(db)
    options.onProgress?.(Math.min(options.count, first + batchSize))
  }
  return { inserted: options.count, perCounty, newestTrackingNo: newest }
}
