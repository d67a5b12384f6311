/**
 * The wording left where a resident's personal data was erased (PIPL; /complaints/privacy):
 * at the end of the retention period, at the resident's request, and in a handler's notes.
 */
import { beijingDate } from './beijing-time.ts'
import { maskPersonalNumbers, normalizePhone } from './masks.ts'

/** How long a case's personal data is kept once the case has ended (/complaints/privacy). */
export const retentionYears = 3

/**
 * What stands where the resident's own words and address were, whichever way they went (the
 * case says which: erasureNotice).
 */
export const erasedText = '（已删除）'

/**
 * What stands where a handler's text named the resident or gave their phone: at erasure, and in
 * the note of a correction, which keeps neither the old nor the new details.
 */
export const erasedName = '（姓名已隐去）'
export const erasedPhone = '（电话已隐去）'

/** The internal timeline note of a case erased at the end of its retention period. */
export const erasedNote = `案件结束已满 ${retentionYears} 年，已按保存期限删除投诉举报人的姓名、电话、诉求内容、地址和照片，办理记录中的姓名和电话号码一并去除。`

/** What the console says of an erased case (its contact box, a refused reveal). */
export function erasureNotice(erasedAt: Date, erasure: 'retention' | 'request' | null) {
  const on = beijingDate(erasedAt)
  const records = '办理记录中的姓名和电话号码一并去除。'
  return erasure === 'request'
    ? `应投诉举报人本人申请，其姓名、电话、诉求内容、地址和照片已于 ${on} 删除，${records}`
    : `案件结束已满 ${retentionYears} 年，投诉举报人的姓名、电话、诉求内容、地址和照片已于 ${on} 按保存期限删除，${records}`
}

/**
 * Text a handler wrote on a case (a note, a reason, the handling result, the public reply, what
 * went back to 12345) without the resident in it: their name and phone as stored, however the
 * phone was spaced, and any other phone or ID number (masked as the private index masks it).
 * The handling record itself stays.
 */
export function withoutResident(
  text: string,
  resident: { name: string | null; phone: string | null },
): string {
  let out = text
  // A one-character name would take every such character out of the record.
  if (resident.name !== null && resident.name.length >= 2) {
    out = out.replaceAll(resident.name, erasedName)
  }
  const digits = resident.phone === null ? '' : normalizePhone(resident.phone).replace(/\D/g, '')
  if (digits.length >= 7) {
    // Each digit may be followed by a space or a dash: 139 1234 5678, 139-1234-5678.
    const spaced = digits.replace(/\d(?=\d)/g, '$&[\\s-]?')
    out = out.replace(new RegExp(`(?<!\\d)${spaced}(?!\\d)`, 'g'), erasedPhone)
  }
  return maskPersonalNumbers(out)
}
