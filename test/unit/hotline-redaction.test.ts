import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import type { z } from '@hono/zod-openapi'
import { decryptField, encryptField, parsePiiKeys } from '../../api/privacy/pii.ts'
import { freeTextFields, hotlineEventSchema } from '../../api/services/hotline/events.ts'
import { openInboxEvent, redactInboxBody } from '../../api/services/hotline/inbox.ts'

/**
 * The text fields of the 12345 contract that are neither free text nor the caller's contact: each
 * is a code, a time, an organisation's name or a link into the hotline's own records, and is kept
 * when a case's personal data is erased. A new text field must be put here or in `freeTextFields`.
 */
const structuredFields = [
  'occurred_at',
  'ticket.ticket_no',
  'ticket.respondent_name',
  'ticket.respondent_uscc',
  'ticket.assigned_at',
  'ticket.deadline',
  'ticket.host_dept',
  'ticket.assist_depts[]',
  'ticket.attachments[]',
  'detail.attachments[]',
  'detail.new_deadline',
  'detail.deadline',
]
const contactFields = ['ticket.contact_name', 'ticket.contact_phone']

type Def = {
  type: string
  shape?: Record<string, z.ZodType>
  innerType?: z.ZodType
  in?: z.ZodType
  element?: z.ZodType
  options?: z.ZodType[]
}
const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def

/** Every field of the schema that takes free-form text, as `part.field` (`[]` for a list's items). */
function textFields(schema: z.ZodType, at = ''): string[] {
  const def = defOf(schema)
  switch (def.type) {
    case 'string':
      return [at]
    case 'object':
      return Object.entries(def.shape!).flatMap(([key, field]) =>
        textFields(field, at ? `${at}.${key}` : key),
      )
    case 'union':
      return def.options!.flatMap((option) => textFields(option, at))
    case 'array':
      return textFields(def.element!, `${at}[]`)
    case 'optional':
    case 'default':
    case 'nullable':
      return textFields(def.innerType!, at)
    case 'pipe':
      return textFields(def.in!, at)
    default:
      // enum, literal, boolean, number: a closed set or a number cannot quote anyone.
      return []
  }
}

describe('taking the caller out of a stored 12345 event', () => {
  it('knows every text field of the contract: free text, the caller’s contact, or a code', () => {
    const free = Object.entries(freeTextFields).flatMap(([part, fields]) =>
      fields.map((field) => `${part}.${field}`),
    )
    const found = [...new Set(textFields(hotlineEventSchema))].sort()
    expect(found).toEqual([...free, ...contactFields, ...structuredFields].sort())
  })

  it('keeps only the contract’s fields, without the caller, and still opens', () => {
    const ring = parsePiiKeys(`k1:${randomBytes(32).toString('base64')}`)
    const idNumber = '330102199001011234'
    const seal = (webhookId: string, event: object) => {
      const sealed = encryptField(ring, JSON.stringify(event), `hotline_inbox:${webhookId}`)
      return { webhookId, piiKeyId: sealed.keyId, bodySealed: sealed.sealed }
    }
    const open = (row: { webhookId: string; piiKeyId: string; bodySealed: Buffer }) =>
      decryptField(ring, row.piiKeyId, row.bodySealed, `hotline_inbox:${row.webhookId}`)
    const dispatch = seal('msg_dispatch', {
      type: 'ticket.dispatched',
      occurred_at: '2026-11-26T09:30:00+08:00',
      caller: { id_no: idNumber },
      ticket: {
        ticket_no: 'LS12345-20261126-000123',
        title: '李小梅反映菜场短斤缺两',
        content: '李小梅（13800138000）在万象菜场买虾，回家复秤少了四两。',
        appeal_type: '投诉',
        contact_name: '李小梅',
        contact_phone: '138 0013 8000',
        contact_id_no: idNumber,
        area_code: '331102',
        address: '莲都区万象菜场 12 号摊位（李小梅家楼下）',
        respondent_name: '万象菜场水产摊',
        assigned_at: '2026-11-26T09:30:00+08:00',
        deadline: '2026-12-10T17:00:00+08:00',
      },
    })
    const redacted = {
      webhookId: dispatch.webhookId,
      ...redactInboxBody(ring, dispatch, '（已删除）'),
    }
    for (const quoted of ['李小梅', '13800138000', '138 0013 8000', idNumber, '买虾']) {
      expect(open(redacted)).not.toContain(quoted)
    }
    expect(openInboxEvent(ring, redacted)).toMatchObject({
      type: 'ticket.dispatched',
      ticket: {
        ticket_no: 'LS12345-20261126-000123',
        title: '（已删除）',
        content: '（已删除）',
        address: '（已删除）',
        respondent_name: '万象菜场水产摊',
        deadline: '2026-12-10T17:00:00+08:00',
      },
    })

    const reopened = seal('msg_reopened', {
      type: 'ticket.reopened',
      occurred_at: '2026-12-11T09:00:00+08:00',
      ticket: { ticket_no: 'LS12345-20261126-000123', contact_name: '李小梅' },
      detail: { reason: '李小梅不满意，要求重办。', deadline: '2026-12-20T17:00:00+08:00' },
    })
    const second = {
      webhookId: reopened.webhookId,
      ...redactInboxBody(ring, reopened, '（已删除）'),
    }
    expect(open(second)).not.toContain('李小梅')
    expect(JSON.parse(open(second))).toEqual({
      type: 'ticket.reopened',
      occurred_at: '2026-12-11T09:00:00+08:00',
      ticket: { ticket_no: 'LS12345-20261126-000123' },
      detail: { reason: '（已删除）', deadline: '2026-12-20T17:00:00+08:00' },
    })
  })
})
