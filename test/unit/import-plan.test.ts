import { describe, expect, it } from 'vitest'
import type { Enterprise } from '../../db/database.ts'
import {
  planEnterpriseChanges,
  type EnterpriseRecord,
} from '../../api/services/enterprises/import/plan.ts'

const record: EnterpriseRecord = {
  uscc: '91331102MA2E8C6Q7X',
  name: '莲都区万象菜场',
  countyCode: '331102',
  sectorCode: 'market',
  address: '丽水市莲都区万象街道解放街 88 号',
  certifiedAt: '2024-05-20',
  validUntil: '2027-05-19',
  status: 'active',
}

const stored = (r: EnterpriseRecord, statusSince = r.certifiedAt): Enterprise => ({
  uscc: r.uscc,
  name: r.name,
  countyCode: r.countyCode,
  sectorCode: r.sectorCode,
  address: r.address,
  certifiedAt: r.certifiedAt,
  validUntil: r.validUntil,
  status: r.status,
  statusSince,
  isDemo: false,
  complaintCount: 0,
  createdAt: new Date(),
  updatedAt: new Date(),
})

const plan = (records: EnterpriseRecord[], existing: Enterprise[] = []) =>
  planEnterpriseChanges({
    existing: new Map(existing.map((e) => [e.uscc, e])),
    records,
    source: 'import:名单.csv',
    today: '2026-11-26',
  })

describe('planEnterpriseChanges', () => {
  it('adds a new business with a certified entry, and a status entry when not active', () => {
    const revoked = { ...record, status: 'revoked' as const, statusSince: '2025-01-10' }
    const result = plan([revoked])
    expect(result.result.added).toEqual([record.uscc])
    expect(result.inserts[0]).toMatchObject({ status: 'revoked', statusSince: '2025-01-10' })
    expect(result.events.map((e) => e.kind)).toEqual(['certified', 'revoked'])
  })

  it('leaves a business equal to what is stored alone, writing nothing', () => {
    const result = plan([record], [stored(record)])
    expect(result.result).toMatchObject({ added: [], changed: [], unchanged: [record.uscc] })
    expect([...result.inserts, ...result.updates, ...result.events]).toEqual([])
  })

  it('names the fields that changed and records a status change in the history', () => {
    const next = { ...record, address: '丽水市莲都区解放街 90 号', status: 'revoked' as const }
    const result = plan([next], [stored(record)])
    expect(result.result.changes).toEqual([
      {
        uscc: record.uscc,
        fields: ['address', 'status'],
        statusFrom: 'active',
        statusTo: 'revoked',
      },
    ])
    expect(result.updates[0]?.set).toMatchObject({ status: 'revoked', statusSince: '2026-11-26' })
    expect(result.events).toMatchObject([{ kind: 'revoked', occurredOn: '2026-11-26' }])
  })

  it('records a renewal when an active certification is extended', () => {
    const result = plan([{ ...record, validUntil: '2030-05-19' }], [stored(record)])
    expect(result.events).toMatchObject([{ kind: 'renewed', validUntil: '2030-05-19' }])
  })
})
