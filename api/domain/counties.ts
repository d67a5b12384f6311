/**
 * The nine counties of 丽水市 (DESIGN.md section 4), by their administrative division codes
 * (GB/T 2260). Each has its own market-regulation bureau: cases, operators and 12345 tickets
 * belong to one of them. The counties table holds the same list, fixed by migration.
 */
export const countyCodes = [
  '331102',
  '331121',
  '331122',
  '331123',
  '331124',
  '331125',
  '331126',
  '331127',
  '331181',
] as const

export type CountyCode = (typeof countyCodes)[number]

/** The county's name by its code; an operator without a county works at city level. */
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
} satisfies Record<CountyCode, string>
