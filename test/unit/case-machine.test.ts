import { describe, expect, it } from 'vitest'
import type { SignedInOperator } from '../../api/services/admin/access.ts'
import {
  allowedActions,
  caseActions,
  caseMachine,
  nextStatus,
  refusalOf,
  type CaseAction,
} from '../../api/services/admin/cases/machine.ts'
import { parseCaseAction } from '../../api/services/admin/cases/schemas.ts'
import { complaintStatusLabels } from '../../api/domain/complaints.ts'
import { complaintKinds, complaintStatuses, type ComplaintKind } from '../../db/database.ts'

/**
 * The transitions the issue asks for, written out independently of machine.ts:
 * "kind status action → status". Everything not listed must be refused.
 */
const transitions = `
  complaint received accept → accepted
  report    received accept → accepted
  complaint received reject → rejected
  report    received reject → rejected
  complaint received    assign → received
  complaint accepted    assign → accepted
  complaint in_progress assign → in_progress
  report    received    assign → received
  report    accepted    assign → accepted
  report    in_progress assign → in_progress
  complaint received    note → received
  complaint accepted    note → accepted
  complaint rejected    note → rejected
  complaint in_progress note → in_progress
  complaint resolved    note → resolved
  report    received    note → received
  report    accepted    note → accepted
  report    rejected    note → rejected
  report    in_progress note → in_progress
  report    resolved    note → resolved
  complaint accepted    mediate → in_progress
  complaint in_progress mediate → in_progress
  report    accepted    start → in_progress
  complaint accepted    complete → resolved
  complaint in_progress complete → resolved
  report    accepted    complete → resolved
  report    in_progress complete → resolved
  complaint review      assign → review
  report    review      assign → review
  complaint review      note → review
  report    review      note → review
  complaint review      complete → resolved
  report    review      complete → resolved
  complaint resolved close → closed
  complaint rejected close → closed
  report    resolved close → closed
  report    rejected close → closed
`
  .trim()
  .split('\n')
  .map((line) => {
    const [kind, from, action, , to] = line.trim().split(/\s+/)
    return { kind, from, action, to }
  })

/**
 * The city administrator's alone: deleting personal data at the resident's request, once ended;
 * holding its erasure (reconsideration, a lawsuit) in any status (lifting needs a hold first).
 */
const adminTransitions = [
  ...['complaint', 'report'].flatMap((kind) =>
    ['resolved', 'rejected', 'closed', 'returned', 'merged'].map((from) => ({
      kind,
      from,
      action: 'erase_personal_data',
      to: from,
    })),
  ),
  ...complaintKinds.flatMap((kind) =>
    complaintStatuses.map((from) => ({ kind, from, action: 'hold_erasure', to: from })),
  ),
]
/** Correcting the resident's name or phone at their request: any handler, in every status. */
const contactTransitions = complaintKinds.flatMap((kind) =>
  complaintStatuses.map((from) => ({ kind, from, action: 'correct_contact', to: from })),
)
const transitionsOf = (who: string) =>
  who === 'cityAdmin'
    ? [...transitions, ...contactTransitions, ...adminTransitions]
    : [...transitions, ...contactTransitions]

const expectedTo = (kind: string, from: string, action: string, who = 'handler') =>
  transitionsOf(who).find((t) => t.kind === kind && t.from === from && t.action === action)?.to

/** Whether a county handler's role may take the action at all. */
const forHandlers = (action: CaseAction) => caseMachine[action].roles.includes('county_handler')

const lishui = '331102'
const qingtian = '331121'
const operators: Record<string, SignedInOperator> = {
  cityAdmin: { id: '1', username: 'city', role: 'city_admin', countyCode: null },
  handler: { id: '2', username: 'lianduhandler', role: 'county_handler', countyCode: lishui },
  otherHandler: { id: '3', username: 'qingtian', role: 'county_handler', countyCode: qingtian },
  viewer: { id: '4', username: 'viewer', role: 'viewer', countyCode: null },
}

/** A closed 投诉 of the handler's county, from the web. */
const closed = {
  kind: 'complaint' as ComplaintKind,
  status: 'closed' as const,
  countyCode: lishui,
  channel: 'web' as const,
}

const everyCombination = complaintKinds.flatMap((kind) =>
  complaintStatuses.flatMap((status) => caseActions.map((action) => ({ kind, status, action }))),
)

describe('the case state machine', () => {
  it('has a rule for exactly the actions of the issues (the console, the 12345 hotline)', () => {
    expect([...caseActions].sort()).toEqual(
      [
        'accept',
        'assign',
        'close',
        'complete',
        'mediate',
        'note',
        'reject',
        'start',
        'sign',
        'request_return',
        'request_extension',
        'report_progress',
        'report_completion',
        'correct_contact',
        'erase_personal_data',
        'hold_erasure',
        'lift_erasure_hold',
      ].sort(),
    )
  })

  for (const who of ['cityAdmin', 'handler'] as const) {
    it(`lets a ${who} take exactly the listed transitions, to the listed status`, () => {
      let allowed = 0
      for (const { kind, status, action } of everyCombination) {
        const facts = { kind, status, countyCode: lishui, channel: 'web' as const }
        const to = expectedTo(kind, status, action, who)
        const refusal = refusalOf(operators[who]!, facts, action)
        if (to === undefined) {
          expect(refusal, `${kind} ${status} ${action}`).not.toBeNull()
          continue
        }
        allowed += 1
        expect(refusal, `${kind} ${status} ${action}`).toBeNull()
        expect(nextStatus(facts, action)).toBe(to)
      }
      expect(allowed).toBe(transitionsOf(who).length)
    })
  }

  it('refuses every other transition with a Chinese message naming the status and what is possible', () => {
    for (const { kind, status, action } of everyCombination) {
      if (expectedTo(kind, status, action) !== undefined || !forHandlers(action)) continue
      const refusal = refusalOf(
        operators.handler!,
        { kind, status, countyCode: lishui, channel: 'web' },
        action,
      )
      expect(refusal?.code).toBe('CONFLICT')
      const message = refusal!.message
      expect(message).toContain(`“${complaintStatusLabels[status]}”`)
      expect(message).toContain(`不能“${caseMachine[action].label}”`)
      // A correction is possible in every status, so something is always offered.
      const possible = transitionsOf('handler').filter((t) => t.kind === kind && t.from === status)
      expect(possible.length).toBeGreaterThan(0)
      for (const p of possible) {
        expect(message).toContain(`“${caseMachine[p.action as CaseAction].label}”`)
      }
    }
  })

  it('says why mediation is not for a 举报 and verification not for a 投诉', () => {
    const report = {
      kind: 'report' as ComplaintKind,
      status: 'accepted' as const,
      countyCode: lishui,
      channel: 'web' as const,
    }
    expect(refusalOf(operators.handler!, report, 'mediate')?.message).toMatch(
      /本案是举报.*只适用于投诉/,
    )
    const complaint = { ...report, kind: 'complaint' as ComplaintKind }
    expect(refusalOf(operators.handler!, complaint, 'start')?.message).toMatch(
      /本案是投诉.*只适用于举报/,
    )
  })

  it('lets a viewer do nothing at all', () => {
    for (const { kind, status, action } of everyCombination) {
      const facts = { kind, status, countyCode: lishui, channel: 'web' as const }
      const refusal = refusalOf(operators.viewer!, facts, action)
      expect(refusal?.code).toBe('FORBIDDEN')
      expect(refusal?.message).toContain('只读账号')
      expect(allowedActions(operators.viewer!, facts)).toEqual([])
    }
  })

  it('lets a county handler act only on its own county’s cases', () => {
    for (const { kind, status, action } of everyCombination) {
      if (!forHandlers(action)) continue
      const facts = { kind, status, countyCode: lishui, channel: 'web' as const }
      const refusal = refusalOf(operators.otherHandler!, facts, action)
      expect(refusal?.code).toBe('FORBIDDEN')
      expect(refusal?.message).toContain('不属于您所在区县')
      expect(allowedActions(operators.otherHandler!, facts)).toEqual([])
    }
    const own = {
      kind: 'complaint' as ComplaintKind,
      status: 'received' as const,
      countyCode: qingtian,
      channel: 'web' as const,
    }
    expect(allowedActions(operators.otherHandler!, own)).toEqual([
      'accept',
      'reject',
      'assign',
      'note',
      'correct_contact',
    ])
  })

  it('lets only the city administrator delete personal data, once the case has ended, and once', () => {
    expect(allowedActions(operators.cityAdmin!, closed)).toEqual([
      'correct_contact',
      'erase_personal_data',
      'hold_erasure',
    ])
    expect(refusalOf(operators.handler!, closed, 'erase_personal_data')).toMatchObject({
      code: 'FORBIDDEN',
      message: '您的账号不能“删除个人信息”。',
    })
    // A handler refused something else on an ended case is not offered the administrator's action.
    const forHandler = refusalOf(operators.handler!, closed, 'note')?.message
    expect(forHandler).toContain('当前可以：“更正联系方式”。')
    expect(forHandler).not.toContain('删除个人信息')
    // Nothing left to correct or delete once erased.
    const erased = { ...closed, personalDataErasedAt: new Date() }
    expect(allowedActions(operators.cityAdmin!, erased)).toEqual([])
    expect(refusalOf(operators.handler!, erased, 'correct_contact')?.message).toContain(
      '（个人信息已经删除）。这个状态下已不能再做任何操作。',
    )
    expect(refusalOf(operators.cityAdmin!, erased, 'erase_personal_data')).toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining('（个人信息已经删除）') as string,
    })
    const open = { ...closed, status: 'accepted' as const }
    expect(refusalOf(operators.cityAdmin!, open, 'erase_personal_data')?.message).toContain(
      '不能“删除个人信息”',
    )
  })

  it('lets the city administrator act on every county’s cases', () => {
    const facts = {
      kind: 'report' as ComplaintKind,
      status: 'accepted' as const,
      countyCode: qingtian,
      channel: 'web' as const,
    }
    expect(allowedActions(operators.cityAdmin!, facts)).toEqual([
      'assign',
      'note',
      'start',
      'complete',
      'correct_contact',
      'hold_erasure',
    ])
  })

  it('lets only the city administrator hold an erasure, which stops it until lifted', () => {
    expect(refusalOf(operators.handler!, closed, 'hold_erasure')).toMatchObject({
      code: 'FORBIDDEN',
      message: '您的账号不能“暂缓删除个人信息”。',
    })
    expect(refusalOf(operators.cityAdmin!, closed, 'lift_erasure_hold')?.message).toContain(
      '（本案没有暂缓删除）',
    )
    const held = { ...closed, erasureHeldAt: new Date() }
    expect(allowedActions(operators.cityAdmin!, held)).toEqual([
      'correct_contact',
      'lift_erasure_hold',
    ])
    const refused = refusalOf(operators.cityAdmin!, held, 'erase_personal_data')
    expect(refused).toMatchObject({ code: 'CONFLICT' })
    expect(refused?.message).toContain('不能“删除个人信息”（本案已暂缓删除个人信息）')
    expect(refused?.message).toContain('当前可以：“更正联系方式”、“解除暂缓删除”。')
    // The work on the case goes on while it is held.
    expect(allowedActions(operators.handler!, { ...held, status: 'accepted' })).toContain(
      'complete',
    )
    // Nothing to hold once the data is gone.
    const erased = { ...closed, personalDataErasedAt: new Date() }
    expect(refusalOf(operators.cityAdmin!, erased, 'hold_erasure')?.message).toContain(
      '（个人信息已经删除）',
    )
  })

  it('makes public exactly acceptance, refusal, in-progress, completion and archiving, and the hotline’s signing, progress and completion', () => {
    const publicActions = caseActions.filter((a) => caseMachine[a].entry.isPublic)
    expect(publicActions).toEqual([
      'accept',
      'reject',
      'start',
      'complete',
      'close',
      'sign',
      'report_progress',
      'report_completion',
    ])
  })
})

describe('the fields each action needs', () => {
  it('refuses a rejection without a reason from the list and an explanation', () => {
    const parsed = parseCaseAction({ action: 'reject', version: 1, reason: 'bored' })
    expect(parsed.success).toBe(false)
    const messages = parsed.success ? [] : parsed.error.issues.map((i) => i.message)
    expect(messages).toContain('请从列表中选择不予受理的理由')
    expect(messages).toContain('请填写说明')
  })

  it('needs the finding, what followed, the handling result and the reply to complete a case', () => {
    const parsed = parseCaseAction({ action: 'complete', version: '3', publicReply: '  ' })
    expect(parsed.success).toBe(false)
    const messages = parsed.success ? [] : parsed.error.issues.map((i) => i.message)
    expect(messages).toEqual(
      expect.arrayContaining([
        '请选择核查认定：查实、部分查实、不属实或无法查实',
        '请选择后续处理（没有后续处理时选“无后续处理”）',
        '请填写办理结果',
        '请填写给投诉举报人的答复',
      ]),
    )
  })

  it('takes a form’s strings: the version as a number, an empty optional note as none', () => {
    const parsed = parseCaseAction({ action: 'assign', version: '2', county: qingtian, note: '' })
    expect(parsed).toEqual({
      success: true,
      data: { action: 'assign', version: 2, county: qingtian },
    })
  })

  it('refuses an action that does not exist', () => {
    const parsed = parseCaseAction({ action: 'delete', version: 1 })
    expect(parsed.success).toBe(false)
  })
})
