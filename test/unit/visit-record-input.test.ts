import { describe, expect, it } from 'vitest'
import { maxInstruments, visitRecordInputSchema } from '../../api/services/admin/visits/schemas.ts'

/** A record the schema accepts, but for the field under test. */
const record = (extra: Record<string, unknown>) => ({
  visitedOn: '2026-10-15',
  inspectorIds: ['1', '2'],
  instruments: [{ kind: '电子计价秤', verificationValid: true, passed: true }],
  result: 'pass',
  ...extra,
})

const versionProblems = (version: unknown) => {
  const parsed = visitRecordInputSchema.safeParse(record({ version }))
  return parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
}

describe('a visit record version, as the page and the API send it', () => {
  it("takes the page's hidden field as digits and the API's as a number, alike", () => {
    expect(visitRecordInputSchema.parse(record({ version: '7' })).version).toBe(7)
    expect(visitRecordInputSchema.parse(record({ version: 7 })).version).toBe(7)
  })

  it('refuses a version that is missing, blank or not plain digits, in one plain sentence', () => {
    for (const version of [undefined, '']) {
      expect(versionProblems(version)).toEqual(['version: 缺少版本号，请刷新页面后重试'])
    }
    for (const version of [' 7', '1e3', '-1x', '1.5', '1234567890', -1, 1.5, 1e10]) {
      expect(versionProblems(version), String(version)).toEqual([
        'version: 版本号有误，请刷新页面后重试',
      ])
    }
  })

  it('refuses more instruments than the limit the page offers rows for', () => {
    const instruments = Array.from({ length: maxInstruments + 1 }, () => ({
      kind: '加油机',
      verificationValid: true,
      passed: true,
    }))
    const parsed = visitRecordInputSchema.safeParse(record({ version: 0, instruments }))
    expect(parsed.success).toBe(false)
    expect(parsed.error?.issues.map((i) => i.message)).toEqual([
      `一次检查最多记录 ${maxInstruments} 台计量器具`,
    ])
  })
})
