import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { beijingDate } from '../../api/domain/beijing-time.ts'
import { rewardClaimDays } from '../../api/domain/rewards.ts'
import { usccCheckCharacter } from '../../api/domain/uscc.ts'
import { ApiError } from '../../api/errors.ts'
import { decideRefusal } from '../../api/services/admin/rewards/access.ts'
import type { CaseReward } from '../../api/services/admin/rewards/schemas.ts'
import { creditRecordsCsv } from '../../api/services/credit/open-data.ts'
import { residentRewardOf } from '../../api/services/complaints/reward-view.ts'
import { claimReward } from '../../api/services/complaints/reward.ts'
import { trackComplaint } from '../../api/services/complaints/track.ts'
import { openDataFile, openDataPaths } from '../../api/services/open-data/files.ts'
import { statisticsCsv } from '../../api/services/statistics/csv.ts'
import { statisticsTables } from '../../api/services/statistics/tables.ts'
import { signedInOperator, type TestOperator } from '../support/operators.ts'
import {
  act,
  auditOf,
  casesWorld,
  countyA,
  countyB,
  drainOutbox,
  fileCase,
  type CasesWorld,
  type Headers,
} from './admin-cases-support.ts'

/**
 * 举报奖励 (issue 25, item 5; acceptance 5 and 6): a reward goes proposal → approval → claim →
 * payment through the console API and the tracking page's verb, against real PostgreSQL; only a
 * city administrator approves; the reporter (anonymous too) sees it with the query code only;
 * the receiving details are sealed; no amount reaches a public page, file or log line, except
 * the yearly total on the statistics.
 */

let w: CasesWorld
let handler: TestOperator
let otherCounty: TestOperator
let admin: TestOperator
let address = 0
const nextAddress = () => `198.51.100.${(address++ % 250) + 1}`

/** The statistics' cutoff (the first day not counted) of tomorrow: today is counted. */
const tomorrow = () =>
  new Date(Date.parse(`${beijingDate()}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10)
/** A cutoff early next year: this year is then a completed one. */
const nextYearsSecondDay = () => `${Number(beijingDate().slice(0, 4)) + 1}-01-02`

beforeAll(async () => {
  w = await casesWorld()
  handler = await signedInOperator(w.t.deps, 'county_handler', countyA)
  otherCounty = await signedInOperator(w.t.deps, 'county_handler', countyB)
  admin = await signedInOperator(w.t.deps, 'city_admin')
})
afterAll(async () => {
  await w.stop()
})

async function acted(id: string, body: Record<string, unknown>, who = handler) {
  const res = await act(w.app, who.headers, id, body)
  if (res.status !== 200)
    throw new Error(`${String(body.action)}: ${res.status} ${await res.text()}`)
}

function newUscc() {
  const first17 = `923311020${Array.from(randomBytes(8), (b) => '0123456789ABCDEFGH'[b % 18]).join('')}`
  return `${first17}${usccCheckCharacter(first17)}`
}

/**
 * A 举报 handled (办结) as 查实 with 立案查处: one a reward may be proposed on. Anonymous unless
 * `phone` is given.
 */
async function rewardableReport(
  options: {
    kind?: 'report' | 'complaint'
    finding?: string
    followUp?: string
    phone?: string
    smsUpdates?: boolean
    uscc?: string
    merchantName?: string
  } = {},
) {
  const filed = await fileCase(w.app, w.t, {
    kind: options.kind ?? 'report',
    ...(options.phone ? { name: '李举报', phone: options.phone } : {}),
    ...(options.smsUpdates === false ? { smsUpdates: false } : {}),
    ...(options.uscc ? { merchantUscc: options.uscc } : {}),
    ...(options.merchantName ? { merchantName: options.merchantName } : {}),
  })
  await acted(filed.id, { action: 'accept', version: 1 })
  await acted(filed.id, {
    action: 'complete',
    version: 2,
    finding: options.finding ?? 'substantiated',
    followUp: options.followUp ?? 'penalized',
    handlingResult: '现场检查，电子秤装有遥控作弊装置，已立案查处。',
    publicReply: '经核查，您反映的问题属实，已依法立案查处。',
  })
  return filed
}

const rewardPath = (id: string) => `/api/admin/cases/${id}/reward`

function postReward(headers: Headers, id: string, body: Record<string, unknown>) {
  return w.app.request(rewardPath(id), {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
}

async function stepped(
  id: string,
  body: Record<string, unknown>,
  who: TestOperator = handler,
): Promise<CaseReward> {
  const res = await postReward(who.headers, id, body)
  if (res.status !== 200)
    throw new Error(`${String(body.action)}: ${res.status} ${await res.text()}`)
  return (await res.json()) as CaseReward
}

async function rewardOf(id: string, who: TestOperator = handler): Promise<CaseReward> {
  const res = await w.app.request(rewardPath(id), { headers: who.headers })
  if (res.status !== 200) throw new Error(`GET reward: ${res.status} ${await res.text()}`)
  return (await res.json()) as CaseReward
}

const resident = (filed: { trackingNo: string; queryCode: string }) => ({
  trackingNo: filed.trackingNo,
  queryCode: filed.queryCode,
  clientAddress: nextAddress(),
})

async function refusal(promise: Promise<unknown>) {
  try {
    await promise
  } catch (error) {
    if (error instanceof ApiError) return error
    throw error
  }
  throw new Error('expected a refusal')
}

const bankTransfer = {
  method: 'bank_transfer',
  payeeName: '李举报',
  bankName: '中国农业银行丽水分行',
  accountNo: '6228 4800 1234 5678 901',
}

/** A reward proposed, approved, claimed and paid with `amount` yuan; returns the case. */
async function paidReward(amount: string, options: Parameters<typeof rewardableReport>[0] = {}) {
  const filed = await rewardableReport(options)
  await stepped(filed.id, { action: 'propose', version: 0, amount, rule: 'local' })
  await stepped(filed.id, { action: 'approve', version: 1 }, admin)
  await claimReward({ ctx: w.t.deps, input: { ...resident(filed), ...bankTransfer } })
  await stepped(filed.id, {
    action: 'record_payment',
    version: 3,
    paidOn: beijingDate(),
    method: 'bank_transfer',
    reference: `ZZ${randomBytes(4).toString('hex')}`,
  })
  return filed
}

describe('a reward from proposal to payment', () => {
  it('goes proposal → approval → claim → payment, seen by the anonymous reporter with the code only', async () => {
    const filed = await rewardableReport()
    const before = await rewardOf(filed.id)
    expect(before).toMatchObject({ reward: null, ineligibleReason: null, mayPropose: true })

    const proposed = await stepped(filed.id, {
      action: 'propose',
      version: 0,
      amount: '880.5',
      rule: 'grade_3',
      note: '按本局标准，提供线索并经查属实。',
    })
    expect(proposed.reward).toMatchObject({ state: 'proposed', amount: '880.50', version: 1 })
    expect(proposed.mayDecide).toBe(false)
    // A proposal is internal: the reporter sees nothing of it yet.
    expect((await trackComplaint({ ctx: w.t.deps, input: resident(filed) })).reward).toBeNull()

    const approved = await stepped(filed.id, { action: 'approve', version: 1 }, admin)
    expect(approved.reward).toMatchObject({ state: 'approved', version: 2 })

    const seen = await trackComplaint({ ctx: w.t.deps, input: resident(filed) })
    expect(seen.reward).toMatchObject({
      state: 'approved',
      amount: '880.50',
      mayClaim: true,
      expired: false,
    })
    expect(seen.timeline.map((e) => e.note).join('')).toContain('决定给予您举报奖励')
    // The same number with a wrong code shows nothing at all.
    const wrong = await refusal(
      trackComplaint({ ctx: w.t.deps, input: { ...resident(filed), queryCode: 'AAAA-AAAA' } }),
    )
    expect(wrong.code).toBe('NOT_FOUND')
    const wrongClaim = await w.app.request('/api/complaints/reward-claim', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...resident(filed), queryCode: 'AAAA-AAAA', ...bankTransfer }),
    })
    expect(wrongClaim.status).toBe(404)
    expect(await wrongClaim.text()).not.toContain('880')

    // The reporter confirms through the public API, as the tracking page's form does.
    const claimed = await w.app.request(
      '/api/complaints/reward-claim',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          trackingNo: filed.trackingNo,
          queryCode: filed.queryCode,
          ...bankTransfer,
        }),
      },
      { clientAddress: nextAddress() },
    )
    expect(claimed.status).toBe(200)
    const claimedView = (await claimed.json()) as { reward: { state: string } }
    expect(claimedView.reward.state).toBe('claimed')
    const again = await refusal(
      claimReward({ ctx: w.t.deps, input: { ...resident(filed), method: 'in_person' } }),
    )
    expect(again.message).toBe('您已经确认过领取方式，请等待发放。')

    // The handler sees the receiving details masked.
    const forHandler = await rewardOf(filed.id)
    expect(forHandler.reward?.payee).toEqual({
      payeeName: '李**',
      bankName: '中国农业银行丽水分行',
      accountNo: '**** **** 8901',
    })
    expect(forHandler.mayRecordPayment).toBe(true)

    const paid = await stepped(filed.id, {
      action: 'record_payment',
      version: 3,
      paidOn: beijingDate(),
      method: 'bank_transfer',
      reference: 'NYH20261208001',
    })
    expect(paid.reward).toMatchObject({ state: 'paid', paymentReference: 'NYH20261208001' })
    const after = await trackComplaint({ ctx: w.t.deps, input: resident(filed) })
    expect(after.reward).toMatchObject({
      state: 'paid',
      stateName: '已发放',
      paidOn: beijingDate(),
      paymentMethodName: '银行转账',
      paymentReference: 'NYH20261208001',
    })

    // One reward paid this year: once the year is over its figures rest on it alone, so both are
    // hidden; while the year runs, it is not listed at all.
    const stats = await statisticsTables(w.t.deps, { cutoff: nextYearsSecondDay() })
    expect(stats.find((t) => t.id === 'reporter-rewards')!.rows.at(-1)).toEqual({
      year: beijingDate().slice(0, 4),
      paid: '<5',
      total: '<5',
    })
    const running = await statisticsTables(w.t.deps, { cutoff: tomorrow() })
    expect(running.find((t) => t.id === 'reporter-rewards')!.rows.map((r) => r.year)).not.toContain(
      beijingDate().slice(0, 4),
    )

    const audit = (await auditOf(w.t, filed.id)).filter((a) => a.action.startsWith('reward.'))
    expect(audit.map((a) => [a.action, a.username])).toEqual([
      ['reward.propose', handler.operator.username],
      ['reward.approve', admin.operator.username],
      ['reward.claim', 'citizen'],
      ['reward.record_payment', handler.operator.username],
    ])
    expect(audit[0]!.detail).toMatchObject({ from: null, to: 'proposed', amountFen: 88050 })
    // The receiving details are in no audit entry.
    expect(JSON.stringify(audit)).not.toContain('6228')
  })

  it('keeps the receiving details sealed, and erasure removes them', async () => {
    const filed = await paidReward('300', { phone: '13905787010' })
    const row = await w.t.deps.db
      .selectFrom('reporterRewards')
      .selectAll()
      .where('complaintId', '=', filed.id)
      .executeTakeFirstOrThrow()
    expect(row.payeeSealed).not.toBeNull()
    const raw = row.payeeSealed!.toString('latin1') + row.payeeSealed!.toString('utf8')
    for (const clear of ['62284800', '5678901', '李举报', '农业银行']) {
      expect(raw).not.toContain(clear)
    }
    await acted(filed.id, { action: 'close', version: 3 })
    await acted(
      filed.id,
      { action: 'erase_personal_data', version: 4, note: '举报人经 12345 申请删除，已核实身份。' },
      admin,
    )
    const erased = await w.t.deps.db
      .selectFrom('reporterRewards')
      .select(['payeeSealed', 'payeeKeyId', 'state', 'amountFen'])
      .where('complaintId', '=', filed.id)
      .executeTakeFirstOrThrow()
    expect(erased).toEqual({ payeeSealed: null, payeeKeyId: null, state: 'paid', amountFen: 30000 })
    expect((await rewardOf(filed.id, admin)).reward?.payee).toBeNull()
  })
})

describe('the receiving details in full', () => {
  it('are shown to a handler on request only, each time audited, never to a viewer', async () => {
    const filed = await rewardableReport()
    await stepped(filed.id, { action: 'propose', version: 0, amount: '500', rule: 'local' })
    await stepped(filed.id, { action: 'approve', version: 1 }, admin)
    const early = await w.app.request(`${rewardPath(filed.id)}/payee`, {
      method: 'POST',
      headers: handler.headers,
    })
    expect(early.status).toBe(409)
    await claimReward({ ctx: w.t.deps, input: { ...resident(filed), ...bankTransfer } })
    const viewer = await signedInOperator(w.t.deps, 'viewer', countyA)
    const refused = await w.app.request(`${rewardPath(filed.id)}/payee`, {
      method: 'POST',
      headers: viewer.headers,
    })
    expect(refused.status).toBe(403)
    const proposeAsViewer = await postReward(viewer.headers, filed.id, {
      action: 'record_payment',
      version: 3,
      paidOn: beijingDate(),
      method: 'bank_transfer',
      reference: 'X1',
    })
    expect(proposeAsViewer.status).toBe(403)
    const shown = await w.app.request(`${rewardPath(filed.id)}/payee`, {
      method: 'POST',
      headers: handler.headers,
    })
    expect(shown.status).toBe(200)
    expect(await shown.json()).toEqual({
      payeeName: '李举报',
      bankName: '中国农业银行丽水分行',
      accountNo: '6228480012345678901',
    })
    const audit = await auditOf(w.t, filed.id)
    const revealed = audit.filter((a) => a.action === 'reward.payee_revealed')
    expect(revealed.map((a) => a.username)).toEqual([handler.operator.username])
    expect(JSON.stringify(revealed)).not.toContain('6228')
  })
})

describe('who may take each step', () => {
  it("refuses a county handler's approval or refusal (403) and changes nothing", async () => {
    const filed = await rewardableReport()
    await stepped(filed.id, { action: 'propose', version: 0, amount: '500', rule: 'local' })
    for (const body of [
      { action: 'approve', version: 1 },
      { action: 'refuse', version: 1, reason: '不同意。' },
    ]) {
      const res = await postReward(handler.headers, filed.id, body)
      expect(res.status).toBe(403)
      const error = (await res.json()) as { error: { message: string } }
      expect(error.error.message).toBe(decideRefusal)
    }
    const still = await rewardOf(filed.id, admin)
    expect(still.reward).toMatchObject({ state: 'proposed', version: 1, decidedAt: null })
    expect(still.mayDecide).toBe(true)
    const audit = await auditOf(w.t, filed.id)
    expect(audit.map((a) => a.action).filter((a) => a.startsWith('reward.'))).toEqual([
      'reward.propose',
    ])
    const outbox = await w.t.deps.db
      .selectFrom('outbox')
      .select('payload')
      .where('topic', '=', 'sms.resident')
      .execute()
    expect(outbox.map((o) => o.payload)).not.toContainEqual({
      complaintId: filed.id,
      event: 'reward_granted',
    })
  })

  it('lets no handler of another county see or propose a reward on the case', async () => {
    const filed = await rewardableReport()
    const res = await postReward(otherCounty.headers, filed.id, {
      action: 'propose',
      version: 0,
      amount: '500',
      rule: 'local',
    })
    expect(res.status).toBe(404)
    expect(
      (await w.app.request(rewardPath(filed.id), { headers: otherCounty.headers })).status,
    ).toBe(404)
    expect(
      await w.t.deps.db
        .selectFrom('reporterRewards')
        .select('id')
        .where('complaintId', '=', filed.id)
        .execute(),
    ).toEqual([])
  })

  it('refuses two approvals of one version: the second sees a stale version', async () => {
    const filed = await rewardableReport()
    await stepped(filed.id, { action: 'propose', version: 0, amount: '500', rule: 'local' })
    await stepped(filed.id, { action: 'approve', version: 1 }, admin)
    const res = await postReward(admin.headers, filed.id, { action: 'approve', version: 1 })
    expect(res.status).toBe(409)
  })
})

describe('which cases may have a reward', () => {
  async function proposalRefusedWith(filed: { id: string }) {
    const res = await postReward(handler.headers, filed.id, {
      action: 'propose',
      version: 0,
      amount: '500',
      rule: 'local',
    })
    expect(res.status).toBe(409)
    return ((await res.json()) as { error: { message: string } }).error.message
  }

  it('refuses a 投诉, an unfounded 举报 and one without a penalty, saying why', async () => {
    const complaint = await rewardableReport({ kind: 'complaint' })
    expect(await proposalRefusedWith(complaint)).toBe(
      '举报奖励只适用于举报；投诉是消费者本人的纠纷，不予奖励。',
    )
    const unfounded = await rewardableReport({ finding: 'unfounded', followUp: 'none' })
    expect(await proposalRefusedWith(unfounded)).toBe(
      '只有认定为“查实”或“部分查实”的举报才能提出奖励。',
    )
    const ordered = await rewardableReport({ followUp: 'ordered' })
    expect(await proposalRefusedWith(ordered)).toContain('须已立案查处')
    const open = await fileCase(w.app, w.t, { kind: 'report' })
    expect(await proposalRefusedWith(open)).toBe(
      '举报办结后才能提出奖励，请先办结案件（认定查实并录入处罚）。',
    )
    expect((await rewardOf(ordered.id)).ineligibleReason).toContain('须已立案查处')

    // A penalty entered with the case's number is enough, whatever the follow-up says.
    await w.t.deps.db
      .insertInto('penalties')
      .values({
        uscc: newUscc(),
        countyCode: countyA,
        decisionNo: `丽莲市监罚〔2026〕奖${randomBytes(3).readUIntBE(0, 3)}号`,
        decidedOn: beijingDate(),
        kind: 'fine',
        violation: '使用作弊的计量器具。',
        penalty: '罚款。',
        legalBasis: '《中华人民共和国计量法》第二十七条',
        complaintId: ordered.id,
        publishUntil: '2027-12-31',
      })
      .execute()
    const proposed = await stepped(ordered.id, {
      action: 'propose',
      version: 0,
      amount: '500',
      rule: 'local',
    })
    expect(proposed.reward?.state).toBe('proposed')
  })

  it('refuses an amount that is not one, saying how to write it', async () => {
    const filed = await rewardableReport()
    for (const amount of ['0', '12.345', '一千', '1000001']) {
      const res = await postReward(handler.headers, filed.id, {
        action: 'propose',
        version: 0,
        amount,
        rule: 'local',
      })
      expect(res.status).toBe(400)
      const body = (await res.json()) as {
        error: { details: { field: string; message: string }[] }
      }
      expect(body.error.details[0]?.field).toBe('amount')
      expect(body.error.details[0]?.message).toMatch(/最多两位小数|最多 1000000 元/)
    }
  })

  it('takes a new proposal after a refusal', async () => {
    const filed = await rewardableReport()
    await stepped(filed.id, { action: 'propose', version: 0, amount: '500', rule: 'local' })
    const refused = await stepped(
      filed.id,
      { action: 'refuse', version: 1, reason: '金额计算依据不足，请补充罚没款数额后重新提出。' },
      admin,
    )
    expect(refused.reward).toMatchObject({ state: 'refused', stateName: '未予批准' })
    expect(refused.mayPropose).toBe(true)
    // Not shown to the reporter: a refusal is the bureau's internal decision.
    expect((await trackComplaint({ ctx: w.t.deps, input: resident(filed) })).reward).toBeNull()
    const again = await stepped(filed.id, {
      action: 'propose',
      version: 2,
      amount: '600',
      rule: 'grade_3',
    })
    expect(again.reward).toMatchObject({
      state: 'proposed',
      amount: '600.00',
      refusalReason: null,
      decidedAt: null,
    })
  })
})

describe('the claim period', () => {
  it('refuses a claim after the period, and the reporter reads 已过领取期限', async () => {
    const filed = await rewardableReport()
    await stepped(filed.id, { action: 'propose', version: 0, amount: '500', rule: 'local' })
    await stepped(filed.id, { action: 'approve', version: 1 }, admin)
    const row = await w.t.deps.db
      .selectFrom('reporterRewards')
      .select(['claimDeadline', 'decidedAt'])
      .where('complaintId', '=', filed.id)
      .executeTakeFirstOrThrow()
    const deadline = row.claimDeadline!
    const days = (deadline.getTime() - row.decidedAt!.getTime()) / 86_400_000
    expect(days).toBeGreaterThan(rewardClaimDays)
    expect(days).toBeLessThanOrEqual(rewardClaimDays + 1)

    const late = await refusal(
      claimReward({
        ctx: w.t.deps,
        input: { ...resident(filed), method: 'in_person', now: deadline },
      }),
    )
    expect(late.code).toBe('CONFLICT')
    expect(late.message).toContain('已过领取期限')
    const seen = await residentRewardOf(w.t.deps.db, filed.id, deadline)
    expect(seen).toMatchObject({ stateName: '已过领取期限', expired: true, mayClaim: false })

    // The last moment before it still counts.
    const inTime = await claimReward({
      ctx: w.t.deps,
      input: { ...resident(filed), method: 'in_person', now: new Date(deadline.getTime() - 1) },
    })
    expect(inTime.reward?.state).toBe('claimed')
  })

  it('refuses bank details that cannot be paid to, naming each field', async () => {
    const filed = await rewardableReport()
    await stepped(filed.id, { action: 'propose', version: 0, amount: '500', rule: 'local' })
    await stepped(filed.id, { action: 'approve', version: 1 }, admin)
    const wrong = await refusal(
      claimReward({
        ctx: w.t.deps,
        input: { ...resident(filed), method: 'bank_transfer', accountNo: '12ab' },
      }),
    )
    expect(wrong.code).toBe('VALIDATION_FAILED')
    expect((wrong.details as { field: string }[]).map((d) => d.field)).toEqual([
      'payeeName',
      'bankName',
      'accountNo',
    ])
  })
})

describe('telling the reporter by SMS', () => {
  const rewardMessages = (complaintId: string) =>
    w.t.deps.db
      .selectFrom('smsMessages')
      .select(['event', 'body'])
      .where('complaintId', '=', complaintId)
      .where('event', '=', 'reward_granted')
      .execute()

  it('queues reward_granted on approval for a reporter who asked for messages, and none otherwise', async () => {
    const optedIn = await rewardableReport({ phone: '13905787001' })
    const optedOut = await rewardableReport({ phone: '13905787002', smsUpdates: false })
    for (const filed of [optedIn, optedOut]) {
      await stepped(filed.id, { action: 'propose', version: 0, amount: '777.77', rule: 'local' })
    }
    await drainOutbox(w.t)
    expect(await rewardMessages(optedIn.id)).toEqual([])
    for (const filed of [optedIn, optedOut]) {
      await stepped(filed.id, { action: 'approve', version: 1 }, admin)
    }
    await drainOutbox(w.t)
    const sent = await rewardMessages(optedIn.id)
    expect(sent).toHaveLength(1)
    expect(sent[0]!.body).toContain(optedIn.trackingNo)
    for (const secret of [optedIn.queryCode, '777.77', '77777', '13905787001', '买了一斤']) {
      expect(sent[0]!.body).not.toContain(secret)
    }
    expect(await rewardMessages(optedOut.id)).toEqual([])
  })
})

describe('what the public sees', () => {
  it('shows no amount on any public page or file except the yearly total, and none in the logs', async () => {
    const uscc = newUscc()
    const merchantName = `奖励金额测试摊位${randomBytes(2).toString('hex')}`
    const distinctive = await paidReward('1234.56', { uscc, merchantName })
    // Closed, the substantiated case reaches the business's public record.
    await acted(distinctive.id, { action: 'close', version: 3 })
    // Four more paid this year: the yearly total is published from five rewards on.
    for (const amount of ['500', '600', '700', '800']) await paidReward(amount)

    const today = beijingDate()
    const expected = await w.t.deps.db
      .selectFrom('reporterRewards')
      .select((eb) => [eb.fn.countAll<string>().as('n'), eb.fn.sum<string>('amountFen').as('fen')])
      .where('state', '=', 'paid')
      .where('paidOn', '=', today)
      .executeTakeFirstOrThrow()
    const totalYuan = Number(expected.fen) / 100
    expect(String(totalYuan)).not.toContain('1234.56')

    // While the year runs its total is not published: two days' figures would give each amount.
    const tables = await statisticsTables(w.t.deps, { cutoff: tomorrow() })
    const running = tables.find((t) => t.id === 'reporter-rewards')!
    expect(running.rows.map((r) => r.year)).not.toContain(today.slice(0, 4))
    // Once it is over, the year's total is.
    const yearOver = await statisticsTables(w.t.deps, { cutoff: nextYearsSecondDay() })
    const rewards = yearOver.find((t) => t.id === 'reporter-rewards')!
    expect(rewards.rows.find((r) => r.year === today.slice(0, 4))).toEqual({
      year: today.slice(0, 4),
      paid: Number(expected.n),
      total: totalYuan,
    })

    const texts: [string, string][] = []
    const get = async (path: string) => {
      const res = await w.app.request(path, {}, { clientAddress: nextAddress() })
      texts.push([path, await res.text()])
    }
    await get(`/api/enterprises/${uscc}`)
    await get(`/api/enterprises/${uscc}/record`)
    await get(`/api/search?q=${encodeURIComponent(merchantName)}`)
    await get('/api/inspections')
    texts.push(['credit-records.csv', await creditRecordsCsv({ ctx: w.t.deps, input: { today } })])
    for (const path of [
      openDataPaths.directory('csv'),
      openDataPaths.directory('json'),
      openDataPaths.statisticsJson,
      ...tables.map((t) => openDataPaths.statisticsTable(t.id)),
    ]) {
      const file = await openDataFile({ ctx: w.t.deps, input: { path, ifNoneMatch: null } })
      let body = ''
      for await (const chunk of file!.body!) body += chunk
      texts.push([path, body])
    }
    for (const table of tables) texts.push([`${table.id}.csv`, statisticsCsv(table)])
    texts.push(['reporter-rewards.csv (year over)', statisticsCsv(rewards)])
    // The record is really there (the check is not passing on an empty page).
    expect(texts.find(([p]) => p.endsWith('/record'))![1]).toContain('立案查处')
    expect(texts.find(([p]) => p === 'reporter-rewards.csv (year over)')![1]).toContain(
      String(totalYuan),
    )

    for (const [path, text] of texts) {
      for (const secret of ['1234.56', '1,234.56', distinctive.queryCode]) {
        expect(`${path}: ${text.includes(secret) ? secret : ''}`).toBe(`${path}: `)
      }
    }
    const logs = w.t.logLines.join('\n')
    expect(logs).toContain('reporter reward step taken')
    for (const secret of [
      '1234.56',
      'amountFen',
      'amount_fen',
      distinctive.queryCode,
      // The account number, by pieces no timestamp or id in a log line holds by chance (its
      // first four digits alone once matched a log line's time).
      '62284800',
      '6228 4800',
      '5678901',
      '李举报',
      '农业银行',
    ]) {
      expect(logs.includes(secret) ? secret : '').toBe('')
    }
  })
})
