import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { beijingDate, beijingIso } from '../../api/domain/beijing-time.ts'
import { creditKey, creditRecomputeTopic } from '../../api/domain/credit.ts'
import { usccCheckCharacter } from '../../api/domain/uscc.ts'
import type { CaseDetail } from '../../api/services/admin/cases/schemas.ts'
import { applyPendingInboxEvents } from '../../api/services/hotline/apply.ts'
import { findBusiness, loadCreditRecord } from '../../db/queries/credit-record.ts'
import { dispatched, later, newTicketNo, postEvent } from '../support/hotline-inbound.ts'
import { signedInOperator, type TestOperator } from '../support/operators.ts'
import { act, casesWorld, countyA, fileCase, type CasesWorld } from './admin-cases-support.ts'

/**
 * Case outcomes on the credit record (issue 22, point 5; acceptance 4's data side): a case closed
 * through the console's own actions as 查实 names its business on the public record, without a
 * trace of the resident; one closed as 不属实, and one not closed, never does.
 */
let w: CasesWorld
let handler: TestOperator

beforeAll(async () => {
  w = await casesWorld()
  handler = await signedInOperator(w.t.deps, 'county_handler', countyA)
})
afterAll(() => w.stop())

/** A valid credit code no list holds: the business becomes a market entity through its case. */
const codeOf = (first17: string) => `${first17}${usccCheckCharacter(first17)}`

const today = () => beijingDate()

async function actOk(id: string, body: Record<string, unknown>): Promise<CaseDetail> {
  const current = (await (
    await w.app.request(`/api/admin/cases/${id}`, { headers: handler.headers })
  ).json()) as CaseDetail
  const res = await act(w.app, handler.headers, id, { version: current.version, ...body })
  expect(res.status, await res.clone().text()).toBe(200)
  return (await res.json()) as CaseDetail
}

const completion = (finding: string, followUp: string) => ({
  action: 'complete',
  finding,
  followUp,
  handlingResult: '现场复秤，电子秤偏差超出允许误差，已责令改正。',
  publicReply: '您反映的问题经核查属实，已责令商户改正并退还差价。',
})

async function recomputesOf(uscc: string) {
  return w.t.deps.db
    .selectFrom('outbox')
    .select(['payload'])
    .where('topic', '=', creditRecomputeTopic)
    .where('aggregateKey', '=', creditKey(uscc))
    .execute()
}

describe('a closed case on the business’s credit record', () => {
  const uscc = codeOf('92331102MA2K7LPQ1')
  const resident = { name: '欧阳晓梅', phone: '13967781234' }
  const description =
    '在摊位买了两斤带鱼，回家复秤只有一斤七两，摊主说秤没问题（识别码 QX-58213）。'

  it('appears once closed as 查实, with date, category, finding and what followed only', async () => {
    const filed = await fileCase(w.app, w.t, {
      merchantName: '城东菜场海鲜摊',
      merchantUscc: uscc,
      description,
      ...resident,
    })
    await actOk(filed.id, { action: 'accept' })
    const resolved = await actOk(filed.id, completion('substantiated', 'ordered'))
    expect(resolved).toMatchObject({
      finding: 'substantiated',
      findingName: '查实',
      followUp: 'ordered',
      followUpName: '责令改正',
    })
    // Resolved is not closed: nothing public yet.
    expect((await loadCreditRecord(w.t.deps.db, uscc, today())).cases).toEqual([])
    expect(await findBusiness(w.t.deps.db, uscc)).toBeUndefined()

    await actOk(filed.id, { action: 'close' })
    const record = await loadCreditRecord(w.t.deps.db, uscc, today())
    expect(record.cases).toEqual([
      {
        caseId: filed.id,
        closedOn: today(),
        category: 'short_weight',
        finding: 'substantiated',
        followUp: 'ordered',
        correction: null,
      },
    ])
    const json = JSON.stringify(record)
    for (const secret of [
      resident.name,
      resident.phone,
      description,
      'QX-58213',
      filed.trackingNo,
    ]) {
      expect(json).not.toContain(secret)
    }
    // The business is now a market entity, named as the case named it, in the case's county;
    // nothing of the resident (the incident's address included) is copied onto it.
    expect(await findBusiness(w.t.deps.db, uscc)).toEqual({
      uscc,
      name: '城东菜场海鲜摊',
      countyCode: countyA,
      sectorCode: 'other',
      address: '',
      certificationStatus: null,
    })
    expect(await recomputesOf(uscc)).toEqual([{ payload: { uscc, source: `case:${filed.id}` } }])
    const audit = await w.t.deps.db
      .selectFrom('auditLog')
      .select(['action', 'detail'])
      .where('complaintId', '=', filed.id)
      .where('action', 'in', ['case.complete', 'case.close'])
      .orderBy('id')
      .execute()
    expect(audit).toEqual([
      {
        action: 'case.complete',
        detail: expect.objectContaining({
          finding: 'substantiated',
          followUp: 'ordered',
        }) as unknown,
      },
      { action: 'case.close', detail: expect.objectContaining({ creditRecord: uscc }) as unknown },
    ])
  })

  it('masks a phone number the resident typed into the business name it makes public', async () => {
    const named = codeOf('92331102MA2K7LPT3')
    const filed = await fileCase(w.app, w.t, {
      merchantName: '水果摊 电话13812345678',
      merchantUscc: named,
    })
    await actOk(filed.id, { action: 'accept' })
    await actOk(filed.id, completion('substantiated', 'ordered'))
    await actOk(filed.id, { action: 'close' })
    const entity = await findBusiness(w.t.deps.db, named)
    expect(entity?.name).toContain('水果摊')
    expect(entity?.name).not.toContain('13812345678')
    expect(entity?.name).not.toContain('2345678')
  })

  it('never holds a case closed as 不属实 or 无法查实, nor one still open', async () => {
    const other = codeOf('92331102MA2K7LPQ2')
    for (const finding of ['unfounded', 'unverifiable']) {
      const filed = await fileCase(w.app, w.t, { merchantName: '水果摊', merchantUscc: other })
      await actOk(filed.id, { action: 'accept' })
      await actOk(filed.id, completion(finding, 'none'))
      await actOk(filed.id, { action: 'close' })
    }
    const open = await fileCase(w.app, w.t, { merchantName: '水果摊', merchantUscc: other })
    await actOk(open.id, { action: 'accept' })
    const resolved = await fileCase(w.app, w.t, { merchantName: '水果摊', merchantUscc: other })
    await actOk(resolved.id, { action: 'accept' })
    await actOk(resolved.id, completion('partly_substantiated', 'mediated'))

    expect((await loadCreditRecord(w.t.deps.db, other, today())).cases).toEqual([])
    expect(await findBusiness(w.t.deps.db, other)).toBeUndefined()
    expect(await recomputesOf(other)).toEqual([])
  })
})

describe('a 12345 case on the credit record', () => {
  const uscc = codeOf('92331102MA2K7LPR1')
  const secret = () => w.t.deps.config.HOTLINE_WEBHOOK_SECRET!

  async function hotlineEvent(event: unknown) {
    const { res } = await postEvent(w.app, secret(), event)
    expect(res.status).toBeLessThan(300)
    await applyPendingInboxEvents(w.t.deps)
  }

  it('is public once the hotline closes it after a 查实 办结反馈, and leaves when reopened', async () => {
    const ticketNo = newTicketNo()
    await hotlineEvent(dispatched(ticketNo, { respondent_uscc: uscc }))
    const { id } = await w.t.deps.db
      .selectFrom('hotlineTickets')
      .select('complaintId as id')
      .where('ticketNo', '=', ticketNo)
      .executeTakeFirstOrThrow()
    await actOk(id, { action: 'sign' })
    await actOk(id, {
      action: 'report_completion',
      finding: 'partly_substantiated',
      followUp: 'penalized',
      resolved: 'true',
      handlingResult: '现场核查，部分属实，已立案查处。',
      publicReply: '您反映的问题部分属实，我局已依法立案查处。',
      contactedAt: beijingIso(new Date(Date.now() - 600_000)).slice(0, 16),
    })
    // 办结反馈 is not the end: the hotline still has to close the ticket.
    expect((await loadCreditRecord(w.t.deps.db, uscc, today())).cases).toEqual([])

    // Events carry whole seconds: one second on, so it follows the console's 办结反馈.
    await hotlineEvent(later('ticket.closed', ticketNo, beijingIso(new Date(Date.now() + 1000))))
    const record = await loadCreditRecord(w.t.deps.db, uscc, today())
    expect(record.cases).toMatchObject([
      { caseId: id, finding: 'partly_substantiated', followUp: 'penalized' },
    ])
    expect(JSON.stringify(record)).not.toContain('李小梅')
    expect(JSON.stringify(record)).not.toContain('13800138000')
    expect(await findBusiness(w.t.deps.db, uscc)).toMatchObject({ name: '万象菜场水产摊' })
    expect(await recomputesOf(uscc)).toHaveLength(1)

    await hotlineEvent(
      later('ticket.reopened', ticketNo, beijingIso(new Date(Date.now() + 2000)), {
        reason: '市民对处理结果不满意',
        deadline: '2027-01-15T17:00:00+08:00',
      }),
    )
    expect((await loadCreditRecord(w.t.deps.db, uscc, today())).cases).toEqual([])
    expect(await recomputesOf(uscc)).toHaveLength(2)
  })
})
