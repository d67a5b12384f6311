import { sql, type Kysely } from 'kysely'
import type { Database } from '../db/database.ts'

/**
 * The credit record's volume for the benchmark, in a few SQL statements: for each of the
 * businesses already inserted, `visitsEach` published inspection visits of 100 campaigns (one in
 * ten failed, one instrument each) and `casesEach` complaints naming it (two closed 查实, one
 * closed 不属实, the rest open), and a grade. 100,000 businesses × (5 + 5) = 1,000,000 rows.
 */
export async function insertCreditVolume(
  db: Kysely<Database>,
  options: { visitsEach: number; casesEach: number },
) {
  await sql`
    INSERT INTO inspection_campaigns (title, kind, starts_on, ends_on, county_codes, sector_codes,
                                      draw_size, status, drawn_at, draw_seed, draw_method,
                                      draw_weights, draw_pool, published_at)
    SELECT '基准专项检查 ' || g, (ARRAY['fuel_dispenser', 'taxi_meter', 'market_scale',
             'utility_meter', 'optical', 'legal_units'])[g % 6 + 1],
           date '2025-01-01' + g * 7, date '2025-01-01' + g * 7 + 30,
           ARRAY['331102'], ARRAY['market'], 1000, 'drawn', now(), 'bench', 'bench',
           '{}'::jsonb, '[]'::jsonb, now()
    FROM generate_series(0, 99) AS g
  `.execute(db)
  await sql`
    WITH b AS (SELECT uscc, county_code, row_number() OVER (ORDER BY uscc) AS rn FROM enterprises),
    c AS (SELECT array_agg(id ORDER BY id) AS ids FROM inspection_campaigns)
    INSERT INTO inspection_visits (campaign_id, uscc, county_code, draw_rank, status, visited_on,
                                   result, findings, recorded_at, published_at)
    SELECT c.ids[((b.rn * ${options.visitsEach} + j) % 100) + 1], b.uscc, b.county_code,
           b.rn * ${options.visitsEach} + j, 'closed',
           date '2025-01-01' + ((b.rn + j * 37) % 700)::int,
           CASE WHEN (b.rn + j) % 10 = 0 THEN 'fail' ELSE 'pass' END,
           '抽查计量器具', now(), now()
    FROM b, c, generate_series(0, ${options.visitsEach - 1}) AS j
  `.execute(db)
  await sql`
    INSERT INTO inspected_instruments (visit_id, position, instrument_kind, verification_valid,
                                       passed)
    SELECT id, 1, '电子计价秤', true, result = 'pass' FROM inspection_visits
  `.execute(db)
  await sql`
    WITH b AS (SELECT uscc, county_code, row_number() OVER (ORDER BY uscc) AS rn FROM enterprises)
    INSERT INTO complaints (tracking_no, query_code_hash, kind, category, county_code,
                            merchant_name, merchant_uscc, address, occurred_at, description,
                            due_at, status, closed_at, finding, follow_up)
    SELECT 'JL20260101-' || lpad((b.rn * ${options.casesEach} + j)::text, 8, '0'),
           decode(md5(b.uscc || j) || md5(j || b.uscc), 'hex'),
           'report', 'short_weight', b.county_code, '基准商户', b.uscc, '基准地址',
           now() - interval '30 days', '基准投诉内容', now() + interval '15 days',
           CASE WHEN j < 3 THEN 'closed' ELSE 'in_progress' END,
           CASE WHEN j < 3 THEN now() - ((b.rn + j) % 600) * interval '1 day' END,
           CASE WHEN j < 2 THEN 'substantiated' WHEN j = 2 THEN 'unfounded' END,
           CASE WHEN j < 3 THEN 'ordered' END
    FROM b, generate_series(0, ${options.casesEach - 1}) AS j
  `.execute(db)
  await sql`
    INSERT INTO credit_grades (uscc, grade, rule_version, reasons, next_age_out, next_age_out_note)
    SELECT uscc, (ARRAY['A', 'B', 'C', 'D'])[(row_number() OVER (ORDER BY uscc)) % 4 + 1],
           'bench', '["近 24 个月内 2 起投诉查实"]'::jsonb, date '2027-01-01',
           '2027 年 1 月 1 日起，2025 年 1 月的投诉查实不再计入'
    FROM enterprises
  `.execute(db)
  await sql`ANALYZE`.execute(db)
}
