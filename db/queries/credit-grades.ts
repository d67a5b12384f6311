import type { Kysely } from 'kysely'
import type { CreditGrade } from '../../api/domain/credit.ts'
import type { Database } from '../database.ts'

/** A business's current grade as the public record shows it (credit_grades). */
export interface GradeView {
  grade: CreditGrade
  /** Plain-Chinese reasons, most weighty first. */
  reasons: string[]
  ruleVersion: string
  /** YYYY-MM-DD: when the next item ages out of the window (信用修复); null when none will. */
  nextAgeOut: string | null
  computedAt: Date
}

/** The current grade of one business; undefined when none has been computed (no grade row). */
export async function gradeOf(db: Kysely<Database>, uscc: string): Promise<GradeView | undefined> {
  return db
    .selectFrom('creditGrades')
    .select(['grade', 'reasons', 'ruleVersion', 'nextAgeOut', 'computedAt'])
    .where('uscc', '=', uscc)
    .executeTakeFirst()
}

/**
 * The codes of every business whose public record may hold anything (a grade, a published visit,
 * a closed 查实 case, a published penalty, a commitment): the static build reads the
 * full record of these only, and gives every other business an empty one without a query.
 */
export async function usccsWithCreditRecord(db: Kysely<Database>): Promise<Set<string>> {
  const rows = await db
    .selectFrom('creditGrades')
    .select('uscc')
    .union(db.selectFrom('inspectionVisits').select('uscc').where('publishedAt', 'is not', null))
    .union(db.selectFrom('penalties').select('uscc').where('publishedAt', 'is not', null))
    .union(db.selectFrom('commitments').select('uscc').where('withdrawnAt', 'is', null))
    .union(
      db
        .selectFrom('complaints')
        .select('enterpriseUscc as uscc')
        .where('finding', 'in', ['substantiated', 'partly_substantiated'])
        .where('closedAt', 'is not', null)
        .where('enterpriseUscc', 'is not', null)
        .$narrowType<{ uscc: string }>(),
    )
    .union(
      db
        .selectFrom('complaints')
        .select('merchantUscc as uscc')
        .where('finding', 'in', ['substantiated', 'partly_substantiated'])
        .where('closedAt', 'is not', null)
        .where('merchantUscc', 'is not', null)
        .$narrowType<{ uscc: string }>(),
    )
    .execute()
  return new Set(rows.map((r) => r.uscc))
}
