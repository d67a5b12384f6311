import type {
  CertificationEventKind,
  CertificationStatus,
  Enterprise,
  EnterpriseUpdate,
} from '../../../../db/database.ts'
import { statusLabels } from '../../../domain/certification.ts'
import type { EnterpriseAction, EnterpriseChange } from './schemas.ts'

/** 暂停 / 恢复 / 撤销 / 续期 / 修改 */
export const actionLabels: Record<EnterpriseAction, string> = {
  suspend: '暂停',
  reinstate: '恢复',
  revoke: '撤销',
  renew: '续期',
  edit: '修改',
}

/**
 * From which statuses each action may start. Revoked is final: the record stays as it was
 * published on revocation. A suspended business is not renewed: the suspension is a sanction, and
 * lifting it is a decision of its own (恢复), with its own reason, before any renewal.
 */
const allowedFrom: Record<EnterpriseAction, readonly CertificationStatus[]> = {
  suspend: ['active'],
  reinstate: ['suspended'],
  revoke: ['active', 'suspended', 'expired'],
  renew: ['active', 'expired'],
  edit: ['active', 'suspended', 'expired'],
}

export const enterpriseActions = Object.keys(allowedFrom) as EnterpriseAction[]

export function allowedActions(status: CertificationStatus): EnterpriseAction[] {
  return enterpriseActions.filter((a) => allowedFrom[a].includes(status))
}

/** An action the current status does not allow; the message names the status and what is possible. */
export class RefusedTransition extends Error {
  override name = 'RefusedTransition'
}

/** Input the rules refuse (a date, an edit that changes nothing), with the field to correct. */
export class InvalidChange extends Error {
  override name = 'InvalidChange'
  constructor(
    message: string,
    readonly field?: string,
  ) {
    super(message)
  }
}

function transitionRefusal(action: EnterpriseAction, status: CertificationStatus): string {
  const now = `该单位当前状态为“${statusLabels[status]}”，不能${actionLabels[action]}。`
  const possible = allowedActions(status).map((a) => `“${actionLabels[a]}”`)
  if (possible.length === 0) return `${now}撤销是最终状态，不能再做任何变更。`
  return `${now}当前可以进行的操作：${possible.join('、')}。`
}

interface NewEvent {
  kind: CertificationEventKind
  occurredOn: string
  validUntil: string | null
  /** When not the operator's reason for the action. */
  reason?: string
}

export interface PlannedChange {
  set: EnterpriseUpdate
  events: NewEvent[]
  /** Which stored fields an edit changes (for the audit entry). */
  fields: string[]
}

const addYears = (day: string, years: number) => `${Number(day.slice(0, 4)) + years}${day.slice(4)}`

function renewal(row: Enterprise, validUntil: string, today: string): PlannedChange {
  if (validUntil <= today) {
    throw new InvalidChange(`新的有效期应晚于今天（${today}），请重新填写。`, 'validUntil')
  }
  if (validUntil > addYears(today, 10)) {
    throw new InvalidChange('新的有效期不能超过十年，请核对日期。', 'validUntil')
  }
  if (row.status === 'active' && validUntil <= row.validUntil) {
    throw new InvalidChange(
      `新的有效期应晚于当前有效期（${row.validUntil}），请重新填写。`,
      'validUntil',
    )
  }
  return {
    // An active certification stays active since when it was; an expired one is active again today.
    set: {
      status: 'active',
      validUntil,
      statusSince: row.status === 'active' ? row.statusSince : today,
    },
    events: [{ kind: 'renewed', occurredOn: today, validUntil }],
    fields: [],
  }
}

function edit(
  row: Enterprise,
  change: Extract<EnterpriseChange, { action: 'edit' }>,
  today: string,
): PlannedChange {
  const wanted = {
    name: change.name,
    address: change.address,
    countyCode: change.county,
    sectorCode: change.sector,
  }
  const set: EnterpriseUpdate = {}
  const fields: string[] = []
  for (const [field, value] of Object.entries(wanted) as [
    keyof typeof wanted,
    string | undefined,
  ][]) {
    if (value !== undefined && value !== row[field]) {
      set[field] = value
      fields.push(field)
    }
  }
  if (fields.length === 0) {
    throw new InvalidChange('名称、地址、区县和行业都与现有信息相同，没有需要修改的内容。')
  }
  return { set, events: [{ kind: 'amended', occurredOn: today, validUntil: null }], fields }
}

/**
 * What one console action writes, worked out without touching the database: the new column
 * values and the certification history entries. `today` is the Shanghai calendar day.
 */
export function planChange(
  row: Enterprise,
  change: EnterpriseChange,
  today: string,
): PlannedChange {
  if (!allowedFrom[change.action].includes(row.status)) {
    throw new RefusedTransition(transitionRefusal(change.action, row.status))
  }
  switch (change.action) {
    case 'suspend':
      return {
        set: { status: 'suspended', statusSince: today },
        events: [{ kind: 'suspended', occurredOn: today, validUntil: null }],
        fields: [],
      }
    case 'revoke':
      return {
        set: { status: 'revoked', statusSince: today },
        events: [{ kind: 'revoked', occurredOn: today, validUntil: null }],
        fields: [],
      }
    case 'reinstate': {
      // Lifting a suspension gives back what the dates say: a validity that ran out meanwhile
      // makes the business expired (the sweep's rule), to be renewed next.
      const lapsed = row.validUntil < today
      return {
        set: { status: lapsed ? 'expired' : 'active', statusSince: today },
        events: [
          { kind: 'reinstated', occurredOn: today, validUntil: null },
          ...(lapsed
            ? [
                {
                  kind: 'expired' as const,
                  occurredOn: today,
                  validUntil: row.validUntil,
                  reason: '有效期届满',
                },
              ]
            : []),
        ],
        fields: [],
      }
    }
    case 'renew':
      return renewal(row, change.validUntil, today)
    case 'edit':
      return edit(row, change, today)
  }
}
