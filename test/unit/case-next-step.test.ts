import { describe, expect, it } from 'vitest'
import type { CaseAction } from '../../api/services/admin/cases/machine.ts'
import { splitActionForms, type ActionForm } from '../../site/lib/admin/cases-actions.ts'

const formsFor = (actions: CaseAction[]): ActionForm[] =>
  actions.map((action) => ({ action, label: action, explanation: '', fields: [] }))

const split = (actions: CaseAction[]) => {
  const { next, others } = splitActionForms(formsFor(actions))
  return { next: next?.action, others: others.map((f) => f.action) }
}

describe('the case page’s next step', () => {
  it('is the step the state calls for, whatever order the actions come in', () => {
    expect(split(['reject', 'assign', 'note', 'accept'])).toEqual({
      next: 'accept',
      others: ['reject', 'assign', 'note'],
    })
    expect(split(['assign', 'note', 'request_return', 'sign']).next).toBe('sign')
    // An accepted 举报 is verified first; an accepted 投诉 is completed (调解 is a record).
    expect(split(['note', 'complete', 'start']).next).toBe('start')
    expect(split(['note', 'mediate', 'complete']).next).toBe('complete')
    expect(split(['report_progress', 'request_extension', 'report_completion']).next).toBe(
      'report_completion',
    )
    expect(split(['note', 'close', 'erase_personal_data']).next).toBe('close')
  })

  it('is none when only occasional actions are left, which all stay offered', () => {
    expect(split(['note', 'hold_erasure'])).toEqual({
      next: undefined,
      others: ['note', 'hold_erasure'],
    })
    expect(split([])).toEqual({ next: undefined, others: [] })
  })
})
