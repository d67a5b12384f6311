import type { Kysely } from 'kysely'
import type { Database, OutboxRow } from '../../../db/database.ts'
import {
  appendGradeHistory,
  businessesAfter,
  countBusinesses,
  gradesAgedOut,
  gradesOf,
  lockGrades,
  writeGrades,
  type GradeRow,
} from '../../../db/queries/credit-grades.ts'
import { loadCreditRecords } from '../../../db/queries/credit-record.ts'
import { enqueue } from '../../../db/queries/outbox.ts'
import { beijingDate } from '../../domain/beijing-time.ts'
import { computeCreditGrade } from '../../domain/credit-grade.ts'
import { enterpriseChangedTopic, enterpriseKey } from '../../search/enterprise-indexer.ts'

/** Businesses graded per transaction: their locks, records and writes together. */
const chunkSize = 500

export interface GradeOutcome {
  /** Businesses whose grade was computed. */
  graded: number
  /** Of those, how many had their stored grade row written (anything changed). */
  written: number
  /** Of those, how many changed grade (their search document and pages were asked to follow). */
  gradeChanged: number
}

const sameReasons = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && a.every((r, i) => r === b[i])

/**
 * Computes the grade of these businesses from their records on `today` (Beijing) and stores it:
 * the current row only when something in it changed, a history row only when the grade or its
 * reasons did, and, when the grade changed, a message for the business's search document and
 * pages. One transaction per chunk of 500, holding each business's grade lock while its record
 * is read and its grade written.
 */
export async function gradeBusinesses(
  ctx: { db: Kysely<Database> },
  input: { usccs: readonly string[]; today?: string; source: string },
): Promise<GradeOutcome> {
  const today = input.today ?? beijingDate()
  const usccs = [...new Set(input.usccs)].sort()
  const outcome: GradeOutcome = { graded: 0, written: 0, gradeChanged: 0 }
  for (let i = 0; i < usccs.length; i += chunkSize) {
    const chunk = usccs.slice(i, i + chunkSize)
    const done = await ctx.db.transaction().execute(async (trx) => {
      await lockGrades(trx, chunk)
      const [records, stored] = await Promise.all([
        loadCreditRecords(trx, chunk, today),
        gradesOf(trx, chunk),
      ])
      const written: GradeRow[] = []
      const history: GradeRow[] = []
      const changed: string[] = []
      for (const uscc of chunk) {
        const result = computeCreditGrade(records.get(uscc)!, today)
        const row: GradeRow = {
          uscc,
          grade: result.grade,
          reasons: result.reasons,
          ruleVersion: result.ruleVersion,
          nextAgeOut: result.nextAgeOut,
          nextAgeOutNote: result.nextAgeOutNote,
        }
        const before = stored.get(uscc)
        const newGradeOrReasons =
          !before || before.grade !== row.grade || !sameReasons(before.reasons, row.reasons)
        if (
          newGradeOrReasons ||
          before.ruleVersion !== row.ruleVersion ||
          before.nextAgeOut !== row.nextAgeOut ||
          before.nextAgeOutNote !== row.nextAgeOutNote
        ) {
          written.push(row)
        }
        if (newGradeOrReasons) history.push(row)
        // A first grade is a change too: until now the search document had none to show.
        if (before?.grade !== row.grade) changed.push(uscc)
      }
      // Nothing changed, nothing written: no statement wakes the site rebuilder for nothing.
      await writeGrades(trx, written)
      await appendGradeHistory(trx, history)
      await enqueue(
        trx,
        changed.map((uscc) => ({
          topic: enterpriseChangedTopic,
          aggregateKey: enterpriseKey(uscc),
          payload: { uscc, source: input.source },
        })),
      )
      return { written: written.length, gradeChanged: changed.length }
    })
    outcome.graded += chunk.length
    outcome.written += done.written
    outcome.gradeChanged += done.gradeChanged
  }
  return outcome
}

/**
 * The outbox handler of `credit.recompute` (creditRecomputeTopic): grades the businesses the
 * batch names, once each however many messages name them.
 */
export function creditRecomputer(db: Kysely<Database>) {
  return async (rows: OutboxRow[]) => {
    await gradeBusinesses(
      { db },
      { usccs: rows.map((r) => r.aggregateKey.replace(/^credit:/, '')), source: 'outbox' },
    )
  }
}

/**
 * 信用修复: grades again every business whose next item has aged out by `today`. Part of the
 * hourly sweep; when nothing is due it is one indexed query (credit_grades_age_out_idx). Each
 * business graded gets a next age-out day after today, so it is not due again until then.
 */
export async function regradeAgedOut(
  ctx: { db: Kysely<Database> },
  today = beijingDate(),
): Promise<number> {
  let after = ''
  let graded = 0
  for (;;) {
    const due = await gradesAgedOut(ctx.db, today, { after, limit: chunkSize })
    if (due.length === 0) return graded
    await gradeBusinesses(ctx, { usccs: due, today, source: 'system:age-out' })
    graded += due.length
    after = due.at(-1)!
  }
}

/**
 * Grades every business, certified or market entity, in code order and in chunks (after a new
 * rule version, or to repair): `onProgress` hears how many are done of how many. Two chunks are
 * in flight at once, so PostgreSQL reads one while this process grades the other (the chunks
 * never share a business, so their locks never meet).
 */
export async function regradeAll(
  ctx: { db: Kysely<Database> },
  options: {
    today?: string
    source?: string
    onProgress?: (done: number, total: number) => void
  } = {},
): Promise<GradeOutcome & { total: number }> {
  const today = options.today ?? beijingDate()
  const total = await countBusinesses(ctx.db)
  const outcome: GradeOutcome = { graded: 0, written: 0, gradeChanged: 0 }
  const inFlight: Promise<void>[] = []
  let failure: Error | undefined
  let after = ''
  while (failure === undefined) {
    const usccs = await businessesAfter(ctx.db, { after, limit: chunkSize })
    if (usccs.length === 0) break
    after = usccs.at(-1)!
    inFlight.push(
      gradeBusinesses(ctx, { usccs, today, source: options.source ?? 'system:regrade' }).then(
        (done) => {
          outcome.graded += done.graded
          outcome.written += done.written
          outcome.gradeChanged += done.gradeChanged
          options.onProgress?.(outcome.graded, Math.max(total, outcome.graded))
        },
        (error: unknown) => {
          failure ??= error instanceof Error ? error : new Error(String(error))
        },
      ),
    )
    if (inFlight.length >= 2) await inFlight.shift()
  }
  await Promise.all(inFlight)
  if (failure !== undefined) throw failure
  return { ...outcome, total: outcome.graded }
}
