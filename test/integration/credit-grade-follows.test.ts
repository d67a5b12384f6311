import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { beijingDate } from '../../api/domain/beijing-time.ts'
import { creditRecomputeTopic } from '../../api/domain/credit.ts'
import { createApp } from '../../api/http/app.ts'
import { takeDownPenaltiesPastPeriod } from '../../api/services/admin/penalties/takedown.ts'
import { gradeBusinesses } from '../../api/services/credit/grade.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { signedInOperator, type TestOperator } from '../support/operators.ts'
import { insertDrawnVisit } from '../support/visits.ts'

/**
 * Issue 22, acceptance 5 and 6 through the grade itself: what the take-down sweep and an upheld
 * objection queue is graded by the rules (as the outbox worker does with each queued message), so
 * the grade, not only the record, forgets the penalty and the struck inspection.
 */
let t: TestContext
let app: ReturnType<typeof createApp>
let admin: TestOperator
const today = beijingDate()
const daysFrom = (day: string, n: number) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10)

beforeAll(async () => {
  t = await createTestContext()
  app = createApp(t.deps)
  admin = await signedInOperator(t.deps, 'city_admin')
})
afterAll(() => t.cleanup())

/** Grades what the outbox asks to be graded, as the worker's credit handler would, and clears it. */
async function runQueuedRecomputes(day = today) {
  const rows = await t.deps.db
    .deleteFrom('outbox')
    .where('topic', '=', creditRecomputeTopic)
    .returning('aggregateKey')
    .execute()
  const usccs = rows.map((r) => r.aggregateKey.replace(/^credit:/, ''))
  await gradeBusinesses(t.deps, { usccs, today: day, source: 'test' })
  return usccs
}

const gradeOf = (uscc: string) =>
  t.deps.db
    .selectFrom('creditGrades')
    .select(['grade', 'reasons'])
    .where('uscc', '=', uscc)
    .executeTakeFirstOrThrow()

const publicRecord = async (uscc: string) => {
  const res = await app.request(`/api/enterprises/${uscc}/record`)
  expect(res.status).toBe(200)
  return (await res.json()) as {
    grade: { grade: string; reasons: string[] } | null
    penalties: unknown[]
    inspections: Array<{ result: string; correction: { note: string } | null }>
  }
}

describe('the grade follows the record', () => {
  it('forgets a penalty once the sweep takes it down, while the console keeps it', async () => {
    const { uscc } = await insertDrawnVisit(t.deps.db, { countyCode: '331102', inspectorIds: [] })
    const decidedOn = daysFrom(today, -40)
    const { id } = await t.deps.db
      .insertInto('penalties')
      .values({
        uscc,
        countyCode: '331102',
        decisionNo: `丽莲市监罚处〔2026〕${Date.now() % 100000}号`,
        decidedOn,
        kind: 'fine',
        violation: '使用计量误差超出规定的加油机',
        penalty: '罚款人民币 3,000 元',
        legalBasis: '《中华人民共和国计量法实施细则》第四十三条',
        publishedAt: new Date(Date.parse(`${decidedOn}T02:00:00Z`)),
        publishUntil: daysFrom(today, -1),
      })
      .returning('id')
      .executeTakeFirstOrThrow()
    // Two days ago the penalty was still published: graded then, it counted.
    await gradeBusinesses(t.deps, { usccs: [uscc], today: daysFrom(today, -2), source: 'test' })
    expect((await gradeOf(uscc)).grade).toBe('C')
    expect((await gradeOf(uscc)).reasons.join('')).toContain('罚款')

    expect(await takeDownPenaltiesPastPeriod(t.deps)).toBeGreaterThanOrEqual(1)
    expect(await runQueuedRecomputes()).toContain(uscc)
    const graded = await gradeOf(uscc)
    expect(graded.grade).toBe('B')
    expect(graded.reasons.join('')).not.toContain('罚款')
    const record = await publicRecord(uscc)
    expect(record.penalties).toEqual([])
    expect(record.grade?.grade).toBe('B')

    const consoleView = await app.request(`/api/admin/penalties/${id}`, { headers: admin.headers })
    expect(consoleView.status).toBe(200)
    expect(
      ((await consoleView.json()) as { takenDownAt: string | null }).takenDownAt,
    ).not.toBeNull()
  })

  it('forgets an inspection an upheld objection struck, and shows the correction', async () => {
    const { uscc, visitId } = await insertDrawnVisit(t.deps.db, {
      countyCode: '331102',
      inspectorIds: [],
    })
    const visitedOn = daysFrom(today, -20)
    await t.deps.db
      .updateTable('inspectionVisits')
      .set({
        status: 'closed',
        visitedOn,
        result: 'fail',
        findings: '1 台加油机示值误差超差',
        rectificationDue: daysFrom(visitedOn, 10),
        followUpOn: daysFrom(visitedOn, 11),
        followUpResult: 'not_rectified',
        recordedAt: new Date(),
        publishedAt: new Date(),
      })
      .where('id', '=', visitId)
      .execute()
    await gradeBusinesses(t.deps, { usccs: [uscc], today, source: 'test' })
    expect((await gradeOf(uscc)).grade).toBe('C')

    const json = (body: unknown) => ({
      method: 'POST',
      headers: { ...admin.headers, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    const objected = await app.request(
      `/api/admin/records/${uscc}/objections`,
      json({
        itemKind: 'inspection',
        itemId: visitId,
        receivedOn: today,
        statement: '检查所用标准器已过检定有效期，结论不应采信。',
      }),
    )
    expect(objected.status).toBeLessThan(300)
    const { id: objectionId } = await t.deps.db
      .selectFrom('creditObjections')
      .select('id')
      .where('uscc', '=', uscc)
      .executeTakeFirstOrThrow()
    const decided = await app.request(
      `/api/admin/records/${uscc}/objections/${objectionId}/decision`,
      json({
        version: 0,
        outcome: 'upheld',
        outcomeNote: '经核实，检查所用标准器确已过期。',
        effect: 'struck',
        publicNote: '检查所用标准器已过检定有效期，该次检查结论不予采信',
      }),
    )
    expect(decided.status).toBe(200)

    expect(await runQueuedRecomputes()).toContain(uscc)
    expect((await gradeOf(uscc)).grade).toBe('B')
    const record = await publicRecord(uscc)
    expect(record.grade?.grade).toBe('B')
    expect(record.grade?.reasons.join('')).not.toContain('不合格')
    expect(record.inspections[0]?.correction?.note).toContain('不予采信')
  })
})
