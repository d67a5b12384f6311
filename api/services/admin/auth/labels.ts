import type { OperatorRole } from '../../../../db/database.ts'

export const roleLabels: Record<OperatorRole, string> = {
  city_admin: '市局管理员',
  county_handler: '区县承办人',
  viewer: '只读查看',
}

/** The nine county bureaus (DESIGN.md section 4); an operator without one works at city level. */
export const countyNames: Readonly<Record<string, string>> = {
  '331102': '莲都区',
  '331121': '青田县',
  '331122': '缙云县',
  '331123': '遂昌县',
  '331124': '松阳县',
  '331125': '云和县',
  '331126': '庆元县',
  '331127': '景宁畲族自治县',
  '331181': '龙泉市',
}

/** "莲都区 · 区县承办人", "市局管理员": who an operator is, for the console's header. */
export function operatorTitle(operator: { role: OperatorRole; countyCode: string | null }) {
  const county = operator.countyCode ? countyNames[operator.countyCode] : undefined
  return county ? `${county} · ${roleLabels[operator.role]}` : roleLabels[operator.role]
}
