import { sql, type Kysely } from 'kysely'
import { gradeBusinesses, regradeAll } from '../api/services/credit/grade.ts'
import type { Database } from '../db/database.ts'
import { insertSyntheticEnterprises } from '../scripts/demo/bulk.ts'
import { cpuSecondsBetween, cpuTicks, waitUntilQuiet } from './load.ts'
import { isolatedStack, machine, round, sourceVersion, type BenchOutcome } from './lib.ts'

const certifiedCount = 80_000
const entityCount = 20_000
const businessCount = certifiedCount + entityCount
const campaignCount = 100
const visitsPerCampaign = 5_000
const caseCount = 500_000
const penaltyCount = 10_000
const commitmentCount = 30_000
/** The day the grades are computed for: the synthetic record runs from 2024-06 to here. */
const today = '2026-12-06'
/** Single-business gradings timed one after another, as the outbox worker does them. */
const singleSamples = 1_000
const goalSeconds = 60

/**
 * The record of 100,000 businesses (80,000 certified, 20,000 market entities): 500,000 published
 * inspection visits with one instrument each (one in ten failed, a few not rectified), 500,000
 * closed cases (half 查实 or 部分查实, half not, so half reach the record), 10,000 penalties, 30,000
 * commitments and 1,000 corrections, spread over June 2024 to December 2026, so part of each
 * record has aged out of the 24-month window. Set-based inserts, a few seconds each.
 */
async function seed(db: Kysely<Database>) {
  await insertSyntheticEnterprises(db, businessCount)
  // The last 20,000 become market entities (named in the record, not certified).
  await sql`
    WITH moved AS (
      DELETE FROM enterprises
      WHERE uscc IN (SELECT uscc FROM enterprises ORDER BY uscc OFFSET ${certifiedCount})
      RETURNING uscc, name, county_code, sector_code, address
    )
    INSERT INTO market_entities (uscc, name, county_code, sector_code, address, is_demo)
    SELECT uscc, name, county_code, sector_code, address, true FROM moved
  `.execute(db)
  await sql`
    CREATE TABLE bench_businesses AS
    SELECT (row_number() OVER (ORDER BY uscc) - 1)::int AS n, uscc, county_code,
      uscc IN (SELECT uscc FROM enterprises) AS certified
    FROM (SELECT uscc, county_code FROM enterprises
          UNION ALL SELECT uscc, county_code FROM market_entities) b;
    CREATE UNIQUE INDEX ON bench_businesses (n);
  `.execute(db)

  await sql`
    INSERT INTO inspection_campaigns (title, kind, starts_on, ends_on, county_codes, sector_codes,
      draw_size, status, drawn_at, draw_seed, draw_method, draw_weights, draw_pool, published_at)
    SELECT '专项检查 ' || c, k.code, date '2024-06-01' + c * 9, date '2024-06-01' + c * 9 + 30,
      ARRAY['331102'], ARRAY['market'], ${visitsPerCampaign}, 'drawn', now(), 'bench', 'bench',
      '{"A":1,"B":2,"C":4,"D":8}', '[]', now()
    FROM generate_series(0, ${campaignCount - 1}) AS c
    JOIN (SELECT code, row_number() OVER (ORDER BY sort_order) - 1 AS r FROM inspection_kinds) k
      ON k.r = c % 6
  `.execute(db)
  // Visit j of campaign c goes to business (c * 5000 + j * 7919) mod 100,000: distinct within a
  // campaign (7919 is prime to 100,000), about five visits per business over the campaigns.
  await sql`
    INSERT INTO inspection_visits (campaign_id, uscc, county_code, draw_rank, status, visited_on,
      result, findings, rectification_due, follow_up_on, follow_up_result, recorded_at,
      published_at)
    SELECT c.id, b.uscc, b.county_code, j + 1,
      CASE WHEN j % 10 = 0 THEN 'rectifying' ELSE 'recorded' END,
      v.day,
      CASE WHEN j % 10 = 0 THEN 'fail' ELSE 'pass' END,
      CASE WHEN j % 10 = 0 THEN '计量器具超差' ELSE '' END,
      CASE WHEN j % 10 = 0 THEN v.day + 14 END,
      CASE WHEN j % 20 = 0 THEN v.day + 20 END,
      CASE WHEN j % 20 = 0 THEN 'not_rectified' END,
      v.day::timestamptz, v.day::timestamptz
    FROM (SELECT id, row_number() OVER (ORDER BY id) - 1 AS ci FROM inspection_campaigns) c
    CROSS JOIN generate_series(0::bigint, ${visitsPerCampaign - 1}) AS j
    JOIN bench_businesses b ON b.n = (c.ci * ${visitsPerCampaign} + j * 7919) % ${businessCount}
    CROSS JOIN LATERAL (SELECT date '2024-06-01' + ((c.ci * 37 + j) % 915)::int AS day) v
  `.execute(db)
  await sql`
    INSERT INTO inspected_instruments (visit_id, position, instrument_kind, verification_valid,
      passed, measured_error)
    SELECT id, 1, '计量器具', true, result = 'pass', CASE WHEN result = 'fail' THEN '-0.6%' ELSE '' END
    FROM inspection_visits
  `.execute(db)
  await sql`
    INSERT INTO complaints (tracking_no, query_code_hash, kind, category, county_code,
      merchant_name, merchant_uscc, enterprise_uscc, address, occurred_at, description,
      received_at, due_at, status, closed_at, finding, follow_up)
    SELECT 'JL20240601-' || lpad(i::text, 8, '0'),
      decode(md5(i::text) || md5('q' || i), 'hex'), 'report', 'short_weight', b.county_code,
      '商户', b.uscc, CASE WHEN b.certified THEN b.uscc END, '地址', t.at, '基准测试举报',
      t.at, t.at + interval '15 days', 'closed', t.at + interval '10 days',
      (ARRAY['substantiated', 'substantiated', 'substantiated', 'partly_substantiated',
             'partly_substantiated', 'unfounded', 'unfounded', 'unfounded', 'unverifiable',
             'unverifiable'])[(i % 10)::int + 1],
      'ordered'
    FROM generate_series(0::bigint, ${caseCount - 1}) AS i
    JOIN bench_businesses b ON b.n = (i * 7919 + 13) % ${businessCount}
    CROSS JOIN LATERAL (
      SELECT timestamptz '2024-06-01 10:00+08' + ((i * 13) % 905)::int * interval '1 day' AS at
    ) t
  `.execute(db)
  await sql`
    INSERT INTO penalties (uscc, county_code, decision_no, decided_on, kind, violation, penalty,
      legal_basis, published_at, publish_until)
    SELECT b.uscc, b.county_code, '丽市监罚〔基准〕' || i || '号', d.day,
      (ARRAY['warning', 'fine', 'fine', 'confiscation', 'suspension'])[(i % 5)::int + 1],
      '使用不合格计量器具', '罚款', '《计量法》', d.day::timestamptz, d.day + 365
    FROM generate_series(0::bigint, ${penaltyCount - 1}) AS i
    JOIN bench_businesses b ON b.n = (i * 104729) % ${businessCount}
    CROSS JOIN LATERAL (SELECT date '2024-06-01' + ((i * 7) % 910)::int AS day) d
  `.execute(db)
  await sql`
    INSERT INTO commitments (uscc, text_version, signed_on, signer_role, source)
    SELECT b.uscc, 'v1', date '2025-01-01' + (i % 600), '负责人', 'bench'
    FROM generate_series(0, ${commitmentCount - 1}) AS i
    JOIN bench_businesses b ON b.n = (i * 3) % ${businessCount}
  `.execute(db)
  await sql`
    INSERT INTO record_corrections (item_kind, item_id, uscc, effect, note)
    SELECT 'inspection', id, uscc, CASE WHEN id % 2 = 0 THEN 'struck' ELSE 'amended' END, '更正'
    FROM inspection_visits WHERE result = 'fail' ORDER BY id LIMIT 1000
  `.execute(db)
  await sql`DROP TABLE bench_businesses`.execute(db)
  // Outside any transaction block, as VACUUM must be: fresh statistics for the planner.
  await sql`VACUUM ANALYZE`.execute(db)
}

async function count(db: Kysely<Database>, table: string) {
  const { rows } = await sql<{ n: string }>`SELECT count(*) AS n FROM ${sql.table(table)}`.execute(
    db,
  )
  return Number(rows[0]!.n)
}

/**
 * `npm run bench -- credit-grade`: a full grade recompute (`npm run credit:regrade`'s
 * regradeAll) over 100,000 businesses with about a million inspection and case rows, first with
 * every grade new (rows and history written), then again with nothing changed; and the cost of
 * grading one business at a time, as the outbox worker does after a change.
 */
export async function run(): Promise<BenchOutcome> {
  const { stack, stop } = await isolatedStack('credit-grade')
  try {
    const { db } = stack.deps
    process.stderr.write('credit-grade: seeding 100,000 businesses and their records…\n')
    const seedStarted = performance.now()
    await seed(db)
    const seedSeconds = (performance.now() - seedStarted) / 1000
    const rows = {
      enterprises: await count(db, 'enterprises'),
      marketEntities: await count(db, 'market_entities'),
      inspectionVisits: await count(db, 'inspection_visits'),
      inspectedInstruments: await count(db, 'inspected_instruments'),
      complaints: await count(db, 'complaints'),
      penalties: await count(db, 'penalties'),
      commitments: await count(db, 'commitments'),
    }
    process.stderr.write(
      `credit-grade: seeded in ${round(seedSeconds)} s: ${JSON.stringify(rows)}\n`,
    )
    await waitUntilQuiet([stack.embeddedPostgres?.pid()])

    const full = async (label: string) => {
      let lastTenth = -1
      const pg = stack.embeddedPostgres?.pid()
      const pgBefore = cpuTicks(pg)
      const nodeBefore = process.cpuUsage()
      const started = performance.now()
      const outcome = await regradeAll(stack.deps, {
        today,
        onProgress: (done, total) => {
          const tenth = Math.floor((done / total) * 10)
          if (tenth > lastTenth) {
            lastTenth = tenth
            process.stderr.write(`credit-grade: ${label} ${tenth * 10}% (${done}/${total})\n`)
          }
        },
      })
      const seconds = (performance.now() - started) / 1000
      const node = process.cpuUsage(nodeBefore)
      const nodeCpu = (node.user + node.system) / 1e6
      const pgCpu = cpuSecondsBetween(pgBefore, cpuTicks(pg))
      // CPU per business, whatever else the machine was doing: what capacity is made of.
      const cpuMs = ((nodeCpu + pgCpu) * 1000) / outcome.graded
      return {
        ...outcome,
        nodeCpuSeconds: round(nodeCpu, 1),
        postgresCpuSeconds: round(pgCpu, 1),
        cpuMsPerBusiness: round(cpuMs, 3),
        /** Two cores doing nothing else. */
        capacityPerSecondOnTwoCores: Math.round(2000 / cpuMs),
        seconds: round(seconds, 2),
        perBusinessMs: round((seconds * 1000) / outcome.graded, 3),
        businessesPerSecond: Math.round(outcome.graded / seconds),
      }
    }
    const first = await full('first recompute')
    await waitUntilQuiet([stack.embeddedPostgres?.pid()])
    const again = await full('recompute with nothing changed')

    // One business per call, one after another: the outbox handler's path for a single change.
    const { rows: sample } = await sql<{ uscc: string }>`
      SELECT uscc FROM enterprises ORDER BY md5(uscc) LIMIT ${singleSamples}
    `.execute(db)
    const singleStarted = performance.now()
    for (const { uscc } of sample) {
      await gradeBusinesses(stack.deps, { usccs: [uscc], today, source: 'bench' })
    }
    const singleMs = (performance.now() - singleStarted) / singleSamples

    const { rows: distribution } = await sql<{ grade: string; n: string }>`
      SELECT grade, count(*) AS n FROM credit_grades GROUP BY grade ORDER BY grade
    `.execute(db)
    const history = await count(db, 'credit_grade_history')
    const met = first.seconds < goalSeconds
    const result = {
      date: new Date().toISOString(),
      source: sourceVersion(),
      machine: machine(),
      today,
      rows,
      seedSeconds: round(seedSeconds),
      firstRecompute: first,
      unchangedRecompute: again,
      singleBusinessMs: round(singleMs, 2),
      grades: Object.fromEntries(distribution.map((d) => [d.grade, Number(d.n)])),
      historyRows: history,
      goal: { fullRecomputeSeconds: goalSeconds, met },
    }
    const perMinute = Math.round((60 / first.seconds) * first.graded)
    const summary =
      `credit-grade: full recompute of ${first.graded} businesses ${first.seconds} s ` +
      `(${first.perBusinessMs} ms each, ${first.businessesPerSecond}/s, ~${perMinute} a minute; ` +
      `CPU ${first.cpuMsPerBusiness} ms each: ${first.capacityPerSecondOnTwoCores}/s on two idle cores); ` +
      `nothing changed ${again.seconds} s; one at a time ${round(singleMs, 2)} ms; ` +
      `goal < ${goalSeconds} s: ${met ? 'met' : 'MISSED'}`
    return { result, summary }
  } finally {
    await stop()
  }
}
