import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createDb } from '../../db/client.ts'
import { migrateTo as migrateSchemaTo } from '../../db/migrate.ts'
import { casesOfWarning } from '../../db/queries/warnings-console.ts'
import { databaseUrl } from '../../scripts/stack/postgres.ts'
import { adminQuery } from '../support/integration.ts'

// Migration 2026-12-07T1500 on a database that ran issue 24's first migrations and holds
// warnings with stored cases: the cases survive as derived ones, and `down` stores them again.

const dbName = `warnings_migration_${randomBytes(4).toString('hex')}`
const hour = 3600_000
let db: ReturnType<typeof createDb>

const migrateTo = (name: string) => migrateSchemaTo(db.withoutPlugins() as never, name)

const foreignKeysOfSubjects = async () =>
  (
    await sql<{ conname: string }>`SELECT conname FROM pg_constraint
      WHERE conrelid = 'complaint_subjects'::regclass AND contype = 'f' ORDER BY conname`.execute(
      db,
    )
  ).rows.map((r) => r.conname)

beforeAll(async () => {
  await adminQuery(`CREATE DATABASE ${dbName}`)
  db = createDb({ connectionString: databaseUrl(inject('pgServerUrl'), dbName), max: 2 })
  await migrateTo('2026-12-07T0910-notifications')
})
afterAll(async () => {
  await db.destroy()
  await adminQuery(`DROP DATABASE ${dbName}`)
})

describe('migration 2026-12-07T1500: a warning’s cases derived', () => {
  it('keeps stored cases as derived ones, drops the keys, and stores them again on the way down', async () => {
    const first = new Date('2026-11-20T08:00:00+08:00')
    const ids: string[] = []
    for (const at of [first, new Date(first.getTime() + 5 * hour)]) {
      const { id } = await db
        .insertInto('complaints')
        .values({
          trackingNo: `JL20261120-${String(randomBytes(4).readUInt32BE(0)).padStart(10, '0')}`,
          queryCodeHash: randomBytes(32),
          kind: 'report',
          category: 'short_weight',
          countyCode: '331102',
          merchantName: '城东菜场 5 号摊',
          address: '莲都区城东菜场',
          occurredAt: at,
          description: '复秤分量不足。',
          receivedAt: at,
          dueAt: new Date(at.getTime() + 15 * 24 * hour),
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      ids.push(id)
      await sql`INSERT INTO complaint_subjects (complaint_id, subject_kind, subject_key,
        county_code, received_at) VALUES (${id}, 'address', '331102:城东菜场', '331102', ${at})`.execute(
        db,
      )
    }
    const warning = async (firedAt: Date) =>
      (
        await sql<{ id: string }>`INSERT INTO warnings (subject_kind, subject_key, subject_label,
          county_code, severity, rule, window_hours, window_count, expected, fired_at,
          last_case_at)
        VALUES ('address', '331102:城东菜场', '莲都区城东菜场', '331102', 1, 'baseline', 48, 2,
          0.1, ${firedAt}, ${firedAt}) RETURNING id`.execute(db)
      ).rows[0]!.id
    // One with both cases stored, handled since; then one open with none stored.
    const withCases = await warning(new Date(first.getTime() + 6 * hour))
    for (const id of ids) {
      await sql`INSERT INTO warning_cases (warning_id, complaint_id)
        VALUES (${withCases}, ${id})`.execute(db)
    }
    await sql`UPDATE warnings SET state = 'handled', action = 'inspection',
      closed_at = ${new Date(first.getTime() + 7 * hour)} WHERE id = ${withCases}`.execute(db)
    const noCasesFiredAt = new Date(first.getTime() + 40 * hour)
    const noCases = await warning(noCasesFiredAt)
    expect(await foreignKeysOfSubjects()).toHaveLength(2)

    await migrateTo('2026-12-07T1500-warning-cases-derived')
    const casesFrom = async (id: string) =>
      (
        await db
          .selectFrom('warnings')
          .select('casesFrom')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).casesFrom
    // The earliest stored case; with none stored, the start of the window it fired on.
    expect(await casesFrom(withCases)).toEqual(first)
    expect(await casesFrom(noCases)).toEqual(new Date(noCasesFiredAt.getTime() - 48 * hour))
    // Its stored cases are its derived ones; the other's are the complaints of its window.
    expect((await casesOfWarning(db, withCases)).map((c) => c.id).sort()).toEqual([...ids].sort())
    expect(await casesOfWarning(db, noCases)).toHaveLength(2)
    expect(await foreignKeysOfSubjects()).toEqual([])
    const tables = await sql<{ n: string }>`SELECT count(*)::text AS n FROM pg_class
      WHERE relname = 'warning_cases'`.execute(db)
    expect(tables.rows[0]!.n).toBe('0')

    await migrateTo('2026-12-07T0910-notifications')
    const stored = await sql<{ warningId: string; complaintId: string }>`
      SELECT warning_id, complaint_id FROM warning_cases ORDER BY warning_id, complaint_id`.execute(
      db,
    )
    expect(stored.rows.filter((r) => r.warningId === withCases)).toHaveLength(2)
    expect(await foreignKeysOfSubjects()).toHaveLength(2)
  })
})
