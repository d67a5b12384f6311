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
