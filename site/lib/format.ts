import type { CertificationStatus } from '../../db/database.ts'
import { beijingDate } from '../../api/domain/beijing-time.ts'
import { eventLabels, statusLabels } from '../../api/domain/certification.ts'

export { eventLabels, statusLabels }

export function statusLabel(status: CertificationStatus): string {
  return statusLabels[status]
}

const numberFormat = new Intl.NumberFormat('zh-CN')

/** 1234 → "1,234" */
export function formatCount(n: number): string {
  return numberFormat.format(n)
}

/** A Date from a content entry → "YYYY-MM-DD" as published in China (UTC+8). */
export function isoDay(date: Date): string {
  return beijingDate(date)
}

/** "2026-12-30" → "2026年12月30日", the way a date is said, not a field value. */
export function chineseDate(day: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day)
  if (!match) return day
  return `${match[1]}年${Number(match[2])}月${Number(match[3])}日`
}
