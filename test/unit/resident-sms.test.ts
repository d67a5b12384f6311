import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { describe, expect, it, onTestFinished } from 'vitest'
import { beijingInstant } from '../../api/domain/beijing-time.ts'
import { isQuietHour, quietHoursEnd } from '../../api/domain/sms.ts'
import { loadSmsTemplates, renderSms } from '../../api/services/sms/templates.ts'
import { complaintInputSchema, wantsSmsUpdates } from '../../api/services/complaints/schemas.ts'

const at = (wall: string) => beijingInstant(wall)

describe('quiet hours (21:00–08:00 Beijing time)', () => {
  it('begin at 21:00 and end at 08:00, whatever the server clock zone', () => {
    expect(isQuietHour(at('2026-12-07T20:59:59'))).toBe(false)
    expect(isQuietHour(at('2026-12-07T21:00:00'))).toBe(true)
    expect(isQuietHour(at('2026-12-08T00:30:00'))).toBe(true)
    expect(isQuietHour(at('2026-12-08T07:59:59'))).toBe(true)
    expect(isQuietHour(at('2026-12-08T08:00:00'))).toBe(false)
    expect(isQuietHour(at('2026-12-08T12:00:00'))).toBe(false)
  })

  it('end at the next 08:00, from the evening and from after midnight alike', () => {
    expect(quietHoursEnd(at('2026-12-07T22:15:00'))).toEqual(at('2026-12-08T08:00:00'))
    expect(quietHoursEnd(at('2026-12-08T03:00:00'))).toEqual(at('2026-12-08T08:00:00'))
    const noon = at('2026-12-08T12:00:00')
    expect(quietHoursEnd(noon)).toEqual(noon)
  })
})

describe('the SMS choice at filing', () => {
  const base = {
    kind: 'complaint',
    category: 'short_weight',
    county: '331102',
    merchantName: '城东菜场 12 号摊位',
    address: '莲都区城东菜场 12 号',
    occurredAt: '2026-11-20T09:30',
    description: '买了一斤猪肉，回家复秤只有八两。',
    name: '王小明',
    consent: true,
  }
  const parse = (extra: Record<string, unknown>) =>
    complaintInputSchema.parse({ ...base, ...extra })

  it('is on by default with a mobile number, and off when refused, without one or with a landline', () => {
    expect(wantsSmsUpdates(parse({ phone: '13905781234' }))).toBe(true)
    expect(wantsSmsUpdates(parse({ phone: '13905781234', smsUpdates: 'yes' }))).toBe(true)
    expect(wantsSmsUpdates(parse({ phone: '13905781234', smsUpdates: 'no' }))).toBe(false)
    expect(wantsSmsUpdates(parse({ phone: '13905781234', smsUpdates: false }))).toBe(false)
    expect(wantsSmsUpdates(parse({ phone: '0578-2123456' }))).toBe(false)
    expect(wantsSmsUpdates(parse({ kind: 'report', name: undefined }))).toBe(false)
  })

  it('refuses anything but yes or no, saying what to choose', () => {
    const result = complaintInputSchema.safeParse({
      ...base,
      phone: '13905781234',
      smsUpdates: 'maybe',
    })
    expect(result.success).toBe(false)
    expect(result.error?.issues[0]?.message).toBe(
      '请选择是否接收办理进展短信（“接收”或“不接收”）。',
    )
  })
})

describe("the bureau's SMS templates", () => {
  const shipped = path.resolve(import.meta.dirname, '../../content/sms/templates.yaml')

  it('as shipped, name the tracking number and render with the two parameters only', () => {
    const templates = loadSmsTemplates(shipped)
    const message = renderSms(templates, 'accepted', {
      trackingNo: 'JL20261207-4827-3915',
      link: 'https://jl.example/complaints/track?no=JL20261207-4827-3915',
    })
    expect(message.body).toContain('JL20261207-4827-3915')
    expect(message.body).toContain('https://jl.example/complaints/track?no=JL20261207-4827-3915')
    expect(message.body).not.toContain('${')
    expect(message.templateCode).toMatch(/^SMS_\d+$/)
  })

  it('refuse a file with an unknown parameter, no tracking number or a missing event, naming each', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sms-templates-'))
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }))
    const file = path.join(dir, 'templates.yaml')
    const text = readFileSync(shipped, 'utf8')
      .replace(
        'text: 您反映的问题（受理编号 ${trackingNo}）已受理',
        'text: 您的查询码 ${queryCode} 已受理',
      )
      .replace(/ {2}reward_granted:[\s\S]*$/, '')
    writeFileSync(file, text)
    let message = ''
    try {
      loadSmsTemplates(file)
    } catch (error) {
      message = (error as Error).message
    }
    expect(message).toContain('templates.accepted.text: ${queryCode} is not a parameter')
    expect(message).toContain('templates.accepted.text: must name ${trackingNo}')
    expect(message).toContain('templates.reward_granted')
  })
})
