import type { Transaction } from 'kysely'
import type { ComplaintCategory, ComplaintKind, Database } from '../../../db/database.ts'
import {
  countHotlineComplaint,
  insertHotlineCase,
  insertTicket,
} from '../../../db/queries/hotline-tickets.ts'
import type { ServiceContext } from '../../deps.ts'
import { contactAad, encryptField, phoneHash } from '../../privacy/pii.ts'
import { beijingDate } from '../../domain/beijing-time.ts'
import { newQueryCode, newTrackingNo, queryCodeHash } from '../complaints/codes.ts'
import type { HotlineTicket } from './events.ts'

/**
 * Words in a ticket's title and content that name the kind of measuring problem, checked in this
 * order: the instrument named is more telling than "斤两", which almost every complaint mentions.
 */
const categoryWords: readonly [ComplaintCategory, RegExp][] = [
  ['fuel_dispenser', /加油/],
  ['taxi_meter', /出租|计价器/],
  ['utility_meter', /水表|电表|燃气表/],
  ['optical', /眼镜/],
  ['medical', /医院|血压计/],
  ['rigged_instrument', /作弊|改装/],
  // "两" alone is too common a character (两次, 两天): only after a number, as a weight.
  ['short_weight', /秤|斤|[\d一二三四五六七八九十半几]两|短斤缺两|缺斤短两/],
]

/** The complaint category a ticket's words suggest; `other` when none does. */
export function categoryOfTicket(ticket: Pick<HotlineTicket, 'title' | 'content'>) {
  const text = `${ticket.title}\n${ticket.content}`
  return categoryWords.find(([, words]) => words.test(text))?.[0] ?? 'other'
}

/** 举报 is a tip-off; every other 诉求类型 is handled as a 投诉. */
export const kindOfTicket = (ticket: Pick<HotlineTicket, 'appeal_type'>): ComplaintKind =>
  ticket.appeal_type === '举报' ? 'report' : 'complaint'

/**
 * Makes the case a dispatched ticket becomes, and the ticket's row, in the caller's transaction.
 * The case is received when the hotline assigned it, is due at the ticket's deadline and has a
 * query code nobody knows: the caller follows it through the hotline, not through our site.
 */
export async function createCaseFromTicket(
  ctx: Pick<ServiceContext, 'privacy'>,
  trx: Transaction<Database>,
  ticket: HotlineTicket,
  occurredAt: Date,
): Promise<string> {
  const assignedAt = new Date(ticket.assigned_at)
  const enterpriseUscc = await countHotlineComplaint(trx, ticket.respondent_uscc)
  const { ring, hashKey } = ctx.privacy
  // A random tracking number may be taken (api/services/complaints/codes.ts); the contact details
  // are sealed to the number, so each draw seals them anew.
  let complaintId: string | undefined
  for (let draws = 0; complaintId === undefined; draws++) {
    if (draws === 5) throw new Error('no free tracking number after 5 draws')
    const trackingNo = newTrackingNo(beijingDate(assignedAt))
    const seal = (value: string, field: 'name' | 'phone') =>
      encryptField(ring, value, contactAad(trackingNo, field))
    const name = ticket.contact_name ? seal(ticket.contact_name, 'name') : undefined
    const phone = ticket.contact_phone ? seal(ticket.contact_phone, 'phone') : undefined
    complaintId = await insertHotlineCase(trx, {
      trackingNo,
      queryCodeHash: queryCodeHash(hashKey, trackingNo, newQueryCode()),
      kind: kindOfTicket(ticket),
      category: categoryOfTicket(ticket),
      countyCode: ticket.area_code,
      merchantName: ticket.respondent_name || '未提供',
      merchantUscc: ticket.respondent_uscc ?? null,
      enterpriseUscc,
      address: ticket.address || '未提供',
      occurredAt: assignedAt,
      description: `${ticket.title}\n${ticket.content}`.slice(0, 5000),
      piiKeyId: name?.keyId ?? phone?.keyId ?? null,
      nameSealed: name?.sealed ?? null,
      phoneSealed: phone?.sealed ?? null,
      phoneHash: ticket.contact_phone ? phoneHash(hashKey, ticket.contact_phone) : null,
      receivedAt: assignedAt,
      dueAt: new Date(ticket.deadline),
    })
  }
  await insertTicket(trx, {
    ticketNo: ticket.ticket_no,
    complaintId,
    appealType: ticket.appeal_type,
    urgency: ticket.urgency,
    title: ticket.title,
    hostDept: ticket.host_dept ?? null,
    assistDepts: ticket.assist_depts,
    attachments: JSON.stringify(ticket.attachments),
    assignedAt,
    deadline: new Date(ticket.deadline),
    lastEventAt: occurredAt,
  })
  return complaintId
}
