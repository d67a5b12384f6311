import { countyNames } from './counties.ts'

/**
 * The business sectors (行业) of the directory, by the codes of the sectors table (fixed by the
 * directory migration), with their Chinese names.
 */
const sectorNames: Readonly<Record<string, string>> = {
  market: '集贸市场',
  supermarket: '商场超市',
  fuel_station: '加油站',
  gas_station: '加气站',
  taxi: '出租汽车',
  optical: '眼镜制配',
  medical: '医疗机构',
  water: '供水',
  power: '供电',
  gas_supply: '供气',
  charging: '充电桩',
  grain: '粮食收购',
  catering: '餐饮',
  other: '其他',
}

/**
 * Words residents use for a sector (issue 23: "莲都加油站" means sector 加油站 in 莲都区). A word
 * belongs to one sector only; brands (中石化) are not sectors and live in the synonyms content.
 */
const sectorWordList: Readonly<Record<string, readonly string[]>> = {
  market: ['集贸市场', '农贸市场', '菜市场', '菜场', '菜市', '农贸'],
  supermarket: ['商场超市', '超市', '商超', '超级市场', '商场'],
  fuel_station: ['加油站', '油站'],
  gas_station: ['加气站', '天然气站'],
  taxi: ['出租汽车', '出租车', '的士'],
  optical: ['眼镜制配', '眼镜店', '眼镜', '配镜', '验光'],
  medical: ['医疗机构', '医院', '诊所', '卫生院'],
  water: ['供水', '自来水'],
  power: ['供电所', '供电'],
  gas_supply: ['供气', '燃气', '煤气'],
  charging: ['充电桩', '充电站'],
  grain: ['粮食收购', '粮油收购', '粮站'],
  catering: ['餐饮', '饭店', '餐馆', '饭馆', '餐厅'],
}

/** The short forms residents say for a county: 莲都 for 莲都区, 景宁 for 景宁畲族自治县. */
function countyForms(name: string): string[] {
  const forms = [name]
  const short = name.replace(/(畲族自治县|区|县|市)$/, '')
  if (short !== name && short.length >= 2) forms.push(short)
  if (name.endsWith('畲族自治县')) forms.push(`${short}县`)
  return forms
}

type FilterWordKind = 'county' | 'sector'

/** A word that names a filter value. */
export interface FilterWord {
  word: string
  kind: FilterWordKind
  /** The county or sector code. */
  value: string
  /** The value's Chinese name, as the page shows it. */
  label: string
}

/** Every county and sector word, longest first, so 菜市场 is read before 菜市. */
export const filterWords: readonly FilterWord[] = [
  ...Object.entries(countyNames).flatMap(([value, label]) =>
    countyForms(label).map((word) => ({ word, kind: 'county' as const, value, label })),
  ),
  ...Object.entries(sectorWordList).flatMap(([value, words]) =>
    words.map((word) => ({ word, kind: 'sector' as const, value, label: sectorNames[value]! })),
  ),
].sort((a, b) => b.word.length - a.word.length)
