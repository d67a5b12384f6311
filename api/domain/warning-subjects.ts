import { categoryLabels, type ComplaintCategory } from './complaints.ts'
import { countyNames } from './counties.ts'
import { maskPersonalNumbers } from './masks.ts'
import type { WarningSubjectKind } from './warnings.ts'

/**
 * The subjects a complaint names, for early warning (issue 24): what a window counts and what a
 * warning is about. Pure functions; the detection service files each complaint under them.
 *
 * A subject's label is what messages and console pages call it: a business name, a market or
 * street, "莲都区·缺斤短两", an instrument kind, a ticket number. It is built from the business
 * and address fields only (numbers in them masked), never from the resident's name, phone or
 * description.
 */

/** What detection reads of a complaint: no name, phone or description. */
export interface ComplaintSubjectFacts {
  countyCode: string
  category: ComplaintCategory
  merchantName: string
  merchantUscc: string | null
  enterpriseUscc: string | null
  address: string
  /** The 12345 ticket the case came from, if any. */
  ticketNo: string | null
}

export interface SubjectRef {
  kind: WarningSubjectKind
  key: string
  label: string
  /** The county whose handlers are told; null for a city-wide subject (an instrument kind). */
  countyCode: string | null
}

/**
 * The instrument kind a category implies (city-wide: a faulty model of fuel dispenser or taxi
 * meter shows in every county at once). Short weight and rigged instruments are both about
 * scales (衡器: 电子秤, 案秤, 杆秤); 民用三表 are the water, electricity and gas meters under
 * mandatory verification; optical complaints are about 验光仪 and 焦度计, the instruments an
 * optician is verified on; medical ones about blood-pressure meters, thermometers and the like.
 * `other` names no kind.
 */
const instrumentKinds = {
  scale: '衡器',
  fuel_dispenser: '加油机',
  taxi_meter: '出租车计价器',
  utility_meter: '民用三表',
  optometry: '验光仪和焦度计',
  medical: '医用计量器具',
} as const
type InstrumentKind = keyof typeof instrumentKinds

const instrumentOfCategory: Record<ComplaintCategory, InstrumentKind | null> = {
  short_weight: 'scale',
  rigged_instrument: 'scale',
  fuel_dispenser: 'fuel_dispenser',
  taxi_meter: 'taxi_meter',
  utility_meter: 'utility_meter',
  optical: 'optometry',
  medical: 'medical',
  other: null,
}

/** Long variants of a stall or shop word, written the one way residents mostly write it. */
const suffixVariants: readonly [RegExp, string][] = [
  [/(摊位|摊点|摊档)/g, '摊'],
  [/(档口|档位)/g, '档'],
  [/(店铺|门店|商店|分店)/g, '店'],
]

/**
 * A name or address as a key: NFKC (full-width letters, digits and punctuation become
 * half-width), lower case, every space, punctuation mark and symbol removed, and the long forms
 * of 摊/档/店 (摊位, 档口, 店铺, …) shortened, so "万象菜场 ８号摊位" and "万象菜场8号摊" are one
 * business.
 */
export function normaliseText(text: string): string {
  let out = text.normalize('NFKC').toLowerCase()
  out = out.replace(/[\s\p{P}\p{S}]/gu, '')
  for (const [pattern, short] of suffixVariants) out = out.replace(pattern, short)
  return out
}

/** The province, city and county names an address may start with: they say nothing more. */
function stripRegion(address: string, countyCode: string): string {
  const county = countyNames[countyCode] ?? ''
  let out = address
  for (const prefix of ['浙江省', '浙江', '丽水市', county]) {
    if (prefix && out.startsWith(prefix)) out = out.slice(prefix.length)
  }
  return out
}

// The first market-like place in an address, else the first street (街道 is a sub-district, not
// a street, so 街 followed by 道 does not count). At least one character must come before it.
const marketPattern = /^(.+?(?:农贸市场|菜市场|市场|菜场|商场|超市|广场))/u
const streetPattern = /^(.+?(?:大道|路|街(?!道)|巷))/u

/**
 * The market or street cluster an address names (normalised, without province, city or county),
 * or null when it names none: `莲都区城西农贸市场 8 号` → `城西农贸市场`, `紫金街道解放街 88 号`
 * → `紫金街道解放街`.
 */
export function addressCluster(address: string, countyCode: string): string | null {
  const text = stripRegion(normaliseText(address), countyCode)
  const found = marketPattern.exec(text) ?? streetPattern.exec(text)
  return found ? found[1]! : null
}

const maxKey = 300

/**
 * The subjects a complaint names. Keys are stable across spellings (see normaliseText); a
 * business is keyed by its credit code when the complaint gives one (the directory's link first),
 * else by its normalised name and address within the county.
 */
export function subjectsOfComplaint(facts: ComplaintSubjectFacts): SubjectRef[] {
  const county = facts.countyCode
  const countyName = countyNames[county] ?? county
  const subjects: SubjectRef[] = []
  const name = maskPersonalNumbers(facts.merchantName.trim())
  const uscc = facts.enterpriseUscc ?? facts.merchantUscc
  const normalisedName = normaliseText(facts.merchantName)
  if (uscc) {
    subjects.push({
      kind: 'business',
      key: `uscc:${uscc}`,
      label: name || uscc,
      countyCode: county,
    })
  } else if (normalisedName) {
    const place = stripRegion(normaliseText(facts.address), county)
    subjects.push({
      kind: 'business',
      key: `name:${county}:${normalisedName}@${place}`.slice(0, maxKey),
      label: name.slice(0, maxKey),
      countyCode: county,
    })
  }
  const cluster = addressCluster(facts.address, county)
  if (cluster) {
    subjects.push({
      kind: 'address',
      key: `${county}:${cluster}`.slice(0, maxKey),
      label: maskPersonalNumbers(`${countyName}${cluster}`).slice(0, maxKey),
      countyCode: county,
    })
  }
  subjects.push({
    kind: 'county_category',
    key: `${county}:${facts.category}`,
    label: `${countyName}·${categoryLabels[facts.category]}`,
    countyCode: county,
  })
  const instrument = instrumentOfCategory[facts.category]
  if (instrument) {
    subjects.push({
      kind: 'instrument',
      key: instrument,
      label: instrumentKinds[instrument],
      countyCode: null,
    })
  }
  if (facts.ticketNo) {
    subjects.push({
      kind: 'hotline_ticket',
      key: facts.ticketNo,
      label: `12345 工单 ${facts.ticketNo}`,
      countyCode: county,
    })
  }
  return subjects
}
