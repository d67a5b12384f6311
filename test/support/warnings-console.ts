import { randomUUID } from 'node:crypto'
import { sql, type Kysely } from 'kysely'
import type {
  WarningSeverity,
  WarningState,
  WarningSubjectKind,
} from '../../api/domain/warnings.ts'
import type { Database } from '../../db/database.ts'

export interface WarningFixture {
  /** null: a city-wide warning (an instrument kind). */
  countyCode: string | null
  complaintIds?: readonly string[]
  subjectKind?: WarningSubjectKind
  subjectLabel?: string
  severity?: WarningSeverity
  state?: WarningState
  firedAt?: Date
}

/**
 * A warning straight in the database, with its cases: detection is tested on its own, the
 * console only reads and acts on what it wrote. A closed state gets what the table's checks ask.
 */
export async function insertWarning(db: Kysely<Database>, w: WarningFixture): Promise<string> {
  const state = w.state ?? 'open'
  const firedAt = w.firedAt ?? new Date()
  const closed = state === 'handled' || state === 'dismissed'
  const subjectKind = w.subjectKind ?? 'business'
  const subjectKey = `test:${randomUUID()}`
  const { id } = await db
    .insertInto('warnings')
    .values({
      subjectKind,
      subjectKey,
      subjectLabel: w.subjectLabel ?? '城东菜场 12 号摊位',
      countyCode: w.countyCode,
      severity: w.severity ?? 2,
      rule: 'baseline',
      windowHours: 48,
      windowCount: Math.max(1, w.complaintIds?.length ?? 3),
      expected: '0.5',
      state,
      firedAt,
      casesFrom: '-infinity',
      lastCaseAt: firedAt,
      closedAt: closed ? new Date() : null,
      action: state === 'handled' ? 'inspection' : null,
      closingNote: state === 'dismissed' ? '重复投诉' : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  // Its cases: the complaints filed under its subject (closing it now keeps every one of them).
  if (w.complaintIds?.length) {
    await sql`
      INSERT INTO complaint_subjects (complaint_id, subject_kind, subject_key, county_code,
        received_at)
      SELECT id, ${subjectKind}, ${subjectKey}, county_code, received_at FROM complaints
      WHERE id = ANY(${w.complaintIds}::bigint[])`.execute(db)
  }
  return id
}
