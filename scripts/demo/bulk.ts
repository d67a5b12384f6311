import { sql, type Kysely } from 'kysely'
import type { Database } from '../../db/database.ts'
import { usccAlphabet } from '../../api/domain/uscc.ts'

const counties = [
  ['331102', '莲都区', '莲都'],
  ['331121', '青田县', '青田'],
  ['331122', '缙云县', '缙云'],
  ['331123', '遂昌县', '遂昌'],
  ['331124', '松阳县', '松阳'],
  ['331125', '云和县', '云和'],
  ['331126', '庆元县', '庆元'],
  ['331127', '景宁畲族自治县', '景宁'],
  ['331181', '龙泉市', '龙泉'],
] as const

// Sector codes with the word their businesses are usually called by (what people type to search).
const sectors = [
  ['market', '菜场'],
  ['supermarket', '超市'],
  ['fuel_station', '加油站'],
  ['gas_station', '加气站'],
  ['taxi', '出租汽车有限公司'],
  ['optical', '眼镜店'],
  ['medical', '医院'],
  ['water', '供水有限公司'],
  ['power', '供电所'],
  ['gas_supply', '燃气有限公司'],
  ['charging', '充电站'],
  ['grain', '粮油收购站'],
  ['catering', '饭店'],
  ['other', '商行'],
] as const

const brands = ['万象', '丽阳', '瓯江', '紫金', '仙都', '云中', '好溪', '白云', '南明', '金山']
const brands2 = ['和顺', '惠民', '诚信', '公平', '放心', '同心', '明珠', '兴旺', '鼎丰', '家乐']
const streets = ['解放街', '中山街', '丽阳街', '人民路', '环城路', '城北路', '江滨路', '府前路']

/**
 * Inserts `count` synthetic businesses in one SQL statement (about a second per 100,000 rows), for
 * tests and benchmarks that need volume. Codes are valid under GB 32100-2015: the nine body
 * characters are `first + i` in base 31 and the check character is computed in SQL with the same
 * weights as `usccCheckCharacter`. Names follow the demo list's patterns (莲都万象菜场（12号店）).
 */
export async function insertSyntheticEnterprises(
  db: Kysely<Database>,
  count: number,
  options: { first?: number } = {},
): Promise<void> {
  const first = options.first ?? 0
  const arr = (values: readonly string[]) => sql`${values}::text[]`
  await sql`
    WITH p AS (
      SELECT ${usccAlphabet}::text AS a,
        ${arr(counties.map((c) => c[0]))} AS county_codes,
        ${arr(counties.map((c) => c[1]))} AS county_names,
        ${arr(counties.map((c) => c[2]))} AS county_short,
        ${arr(sectors.map((s) => s[0]))} AS sector_codes,
        ${arr(sectors.map((s) => s[1]))} AS sector_words,
        ${arr(brands)} AS brands,
        ${arr(brands2)} AS brands2,
        ${arr(streets)} AS streets
    ),
    n AS (
      SELECT i, i % 9 AS c, (i / 9) % 14 AS s, (i / 126) % 100 AS b, i / 12600 AS shop
      FROM generate_series(${first}::bigint, ${first + count - 1}::bigint) AS i
    ),
    body AS (
      SELECT n.*,
        CASE WHEN s IN (0, 12) THEN '92' ELSE '91' END
          || p.county_codes[c + 1]
          || (SELECT string_agg(substr(p.a, ((n.i / power(31, k)::bigint) % 31)::int + 1, 1), ''
                                ORDER BY k DESC)
              FROM generate_series(0, 8) AS k) AS b17
      FROM n, p
    )
    INSERT INTO enterprises (uscc, name, county_code, sector_code, address, certified_at,
                             valid_until, status, status_since, is_demo)
    SELECT
      b17 || (SELECT substr(p.a, ((31 - sum((strpos(p.a, substr(b17, k + 1, 1)) - 1)
                                         * (power(3, k)::bigint % 31)) % 31) % 31)::int + 1, 1)
              FROM generate_series(0, 16) AS k),
      p.county_short[c + 1] || p.brands[b % 10 + 1] || p.brands2[b / 10 + 1]
        || p.sector_words[s + 1] || '（' || (shop + 1) || '号店）',
      p.county_codes[c + 1],
      p.sector_codes[s + 1],
      '丽水市' || p.county_names[c + 1] || p.streets[i % 8 + 1] || ' ' || (i % 300 + 1) || ' 号',
      date '2021-03-15' + (i % 1990)::int,
      date '2021-03-15' + (i % 1990)::int + 1094,
      CASE i % 25 WHEN 0 THEN 'revoked' WHEN 1 THEN 'suspended' WHEN 2 THEN 'expired'
        ELSE 'active' END,
      date '2021-03-15' + (i % 1990)::int + CASE WHEN i % 25 < 3 THEN 60 ELSE 0 END,
      true
    FROM body, p
  `.execute(db)
}
