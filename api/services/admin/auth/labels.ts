import type { OperatorRole } from '../../../../db/database.ts'
import { countyNames } from '../../../domain/counties.ts'

export const roleLabels: Record<OperatorRole, string> = {
  city_admin: '市局管理员',
  county_handler: '区县承办人',
  viewer: '只读查看',
}

/** "莲都区 · 区县承办人", "市局管理员": who an operator is, for the console's header. */
export function operatorTitle(operator: { role: OperatorRole; countyCode: string | null }) {
  const county = operator.countyCode ? countyNames[operator.countyCode] : undefined
  return county ? `${county} · ${roleLabels[operator.role]}` : roleLabels[operator.role]
}
