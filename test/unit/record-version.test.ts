import { describe, expect, it } from 'vitest'
import { drawCampaignSchema } from '../../api/services/admin/campaigns/schemas.ts'
import { parseCaseAction } from '../../api/services/admin/cases/schemas.ts'
import { penaltyEditSchema } from '../../api/services/admin/penalties/schemas.ts'
import { decisionInputSchema } from '../../api/services/admin/records/schemas.ts'
import { visitRecordInputSchema } from '../../api/services/admin/visits/schemas.ts'
import { recordVersion } from '../../api/services/admin/record-version.ts'

const messagesOf = (result: {
  success: boolean
  error?: { issues: { path: PropertyKey[]; message: string }[] }
}) => (result.error?.issues ?? []).filter((i) => i.path[0] === 'version').map((i) => i.message)

describe('a record version, as a page and the API send it', () => {
  const version = recordVersion('版本号')

  it('reads digits from a form and a number from JSON alike', () => {
    expect(version.parse('7')).toBe(7)
    expect(version.parse(7)).toBe(7)
    expect(version.parse('0')).toBe(0)
  })

  it('says the version is missing when it is absent or blank, never reading it as 0', () => {
    for (const input of [undefined, '']) {
      expect(version.safeParse(input).error?.issues.map((i) => i.message)).toEqual([
        '缺少版本号，请刷新页面后重试',
      ])
    }
  })

  it('says the version is wrong for anything but plain digits or a whole number in range', () => {
    for (const input of [' 7', '1e3', '-1', '1.5', '0x10', '1234567890', -1, 1.5, 1e10, null]) {
      expect(
        version.safeParse(input).error?.issues.map((i) => i.message),
        String(input),
      ).toEqual(['版本号有误，请刷新页面后重试'])
    }
    expect(recordVersion('案件版本号', 1).safeParse('0').error?.issues[0]?.message).toBe(
      '案件版本号有误，请刷新页面后重试',
    )
  })

  it('is the one reading of every console form that sends a version', () => {
    // An edit whose version arrives blank is refused as missing in each of them.
    expect(messagesOf(penaltyEditSchema.safeParse({ version: '' }))).toEqual([
      '缺少版本号，请刷新页面后重试',
    ])
    expect(messagesOf(drawCampaignSchema.safeParse({ version: '' }))).toEqual([
      '缺少版本号，请刷新页面后重试',
    ])
    expect(messagesOf(decisionInputSchema.safeParse({ version: '' }))).toEqual([
      '缺少版本信息，请刷新页面后重试',
    ])
    expect(messagesOf(visitRecordInputSchema.safeParse({ version: '' }))).toEqual([
      '缺少版本号，请刷新页面后重试',
    ])
    const action = parseCaseAction({ action: 'accept', version: '' })
    expect(action.success).toBe(false)
    expect(JSON.stringify(action)).toContain('缺少案件版本号，请刷新页面后重试')
  })
})
