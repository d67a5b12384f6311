import type { CertificationStatus } from '../../db/database.ts'
import type { EnterpriseRecord } from '../../api/services/enterprises/apply.ts'
import { usccAlphabet, usccCheckCharacter } from '../../api/domain/uscc.ts'

/** A small deterministic PRNG (mulberry32): the same seed gives the same demo list everywhere. */
export function prng(seed: number) {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const counties = [
  {
    code: '331102',
    name: '莲都区',
    towns: ['紫金街道', '岩泉街道', '万象街道', '白云街道', '碧湖镇', '大港头镇'],
  },
  {
    code: '331121',
    name: '青田县',
    towns: ['鹤城街道', '瓯南街道', '油竹街道', '温溪镇', '船寮镇'],
  },
  { code: '331122', name: '缙云县', towns: ['五云街道', '新建镇', '壶镇镇', '东渡镇', '舒洪镇'] },
  { code: '331123', name: '遂昌县', towns: ['妙高街道', '云峰街道', '北界镇', '湖山乡', '大柘镇'] },
  {
    code: '331124',
    name: '松阳县',
    towns: ['西屏街道', '水南街道', '望松街道', '古市镇', '象溪镇'],
  },
  {
    code: '331125',
    name: '云和县',
    towns: ['浮云街道', '元和街道', '白龙山街道', '崇头镇', '紧水滩镇'],
  },
  {
    code: '331126',
    name: '庆元县',
    towns: ['濛洲街道', '松源街道', '屏都街道', '竹口镇', '黄田镇'],
  },
  {
    code: '331127',
    name: '景宁畲族自治县',
    towns: ['红星街道', '鹤溪街道', '沙湾镇', '渤海镇', '东坑镇'],
  },
  {
    code: '331181',
    name: '龙泉市',
    towns: ['剑池街道', '西街街道', '龙渊街道', '八都镇', '上垟镇'],
  },
]

const sectors: Array<{
  code: string
  weight: number
  names: (brand: string, town: string) => string
}> = [
  { code: 'market', weight: 16, names: (b, t) => `${t}${b}农贸市场` },
  { code: 'supermarket', weight: 18, names: (b) => `${b}超市` },
  { code: 'fuel_station', weight: 10, names: (b, t) => `中国石化${t}${b}加油站` },
  { code: 'gas_station', weight: 3, names: (b) => `${b}天然气加气站` },
  { code: 'taxi', weight: 4, names: (b) => `${b}出租汽车有限公司` },
  { code: 'optical', weight: 8, names: (b) => `${b}眼镜店` },
  { code: 'medical', weight: 6, names: (b) => `${b}医院` },
  { code: 'water', weight: 2, names: (b) => `${b}供水有限公司` },
  { code: 'power', weight: 2, names: (b) => `${b}供电所` },
  { code: 'gas_supply', weight: 2, names: (b) => `${b}燃气有限公司` },
  { code: 'charging', weight: 5, names: (b) => `${b}充电站` },
  { code: 'grain', weight: 4, names: (b) => `${b}粮油收购站` },
  { code: 'catering', weight: 15, names: (b) => `${b}饭店` },
  { code: 'other', weight: 5, names: (b) => `${b}商行` },
]

const brands = [
  '万象',
  '丽阳',
  '瓯江',
  '紫金',
  '仙都',
  '云中',
  '瓯越',
  '好溪',
  '白云',
  '南明',
  '丽安',
  '金山',
  '翠微',
  '鹤城',
  '石门',
  '龙泉',
  '剑瓷',
  '青瓷',
  '畲乡',
  '松阴',
  '古堰',
  '大港',
  '秀山',
  '应星',
  '五云',
  '望松',
  '浮云',
  '濛洲',
  '菇乡',
  '廊桥',
  '月山',
  '龙渊',
  '梅源',
  '九龙',
  '百山',
  '江滨',
  '新城',
  '和顺',
  '惠民',
  '诚信',
  '公平',
  '放心',
  '同心',
  '明珠',
  '兴旺',
  '鼎丰',
  '华联',
  '联华',
  '一品',
  '百味',
  '家乐',
]
const streets = [
  '解放街',
  '中山街',
  '丽阳街',
  '人民路',
  '环城路',
  '城北路',
  '江滨路',
  '府前路',
  '新华路',
  '胜利路',
]

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T
}

function addDays(day: string, days: number): string {
  const d = new Date(`${day}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + days)
  return d.toISOString().slice(0, 10)
}

/** A code that passes GB 32100-2015 for a business registered in `county`. */
function demoUscc(random: () => number, county: string, individual: boolean): string {
  let body = individual ? '92' : '91'
  body += county
  for (let i = 0; i < 9; i++) body += pick(random, usccAlphabet.split(''))
  return body + usccCheckCharacter(body)
}

/**
 * The demo list: `count` plausible businesses across the nine counties and every sector, with
 * valid credit codes and some suspended, revoked and expired certifications. Deterministic.
 */
export function generateDemoRecords(count = 1500, seed = 20261126): EnterpriseRecord[] {
  const random = prng(seed)
  const totalWeight = sectors.reduce((s, x) => s + x.weight, 0)
  const seenCodes = new Set<string>()
  const seenNames = new Set<string>()
  const records: EnterpriseRecord[] = []
  // A fixed first record, so the documentation's search example (菜场) always finds something.
  const landmarkBody = '91331102MA2E8C6Q7'
  records.push({
    uscc: landmarkBody + usccCheckCharacter(landmarkBody),
    name: '莲都区万象菜场',
    countyCode: '331102',
    sectorCode: 'market',
    address: '丽水市莲都区万象街道解放街 88 号',
    certifiedAt: '2024-05-20',
    validUntil: '2027-05-19',
    status: 'active',
  })
  seenCodes.add(records[0]!.uscc)
  seenNames.add(records[0]!.name)

  for (let i = 0; records.length < count; i++) {
    // Every sector appears in every county at least once before weights take over.
    const county = counties[i % counties.length]!
    let sector = sectors[Math.floor(i / counties.length) % sectors.length]!
    if (i >= counties.length * sectors.length) {
      let roll = random() * totalWeight
      for (const s of sectors) {
        roll -= s.weight
        if (roll <= 0) {
          sector = s
          break
        }
      }
    }
    const town = pick(random, county.towns)
    const brand = pick(random, brands)
    const base = sector.names(brand, town.replace(/(街道|镇|乡)$/, ''))
    const unique = base.startsWith(county.name)
      ? base
      : `${county.name.replace('畲族自治县', '')}${base}`
    let name = unique
    for (let n = 2; seenNames.has(name); n++) name = `${unique}（${n}号店）`
    seenNames.add(name)

    let uscc = demoUscc(random, county.code, sector.code === 'market' || sector.code === 'catering')
    while (seenCodes.has(uscc)) uscc = demoUscc(random, county.code, false)
    seenCodes.add(uscc)

    const certifiedAt = addDays('2021-03-15', Math.floor(random() * 1990))
    const roll = random()
    let status: CertificationStatus = 'active'
    if (roll > 0.96) status = 'revoked'
    else if (roll > 0.92) status = 'suspended'
    else if (roll > 0.87) status = 'expired'
    const validUntil =
      status === 'expired'
        ? addDays(certifiedAt, 3 * 365 - 1)
        : addDays(certifiedAt > '2023-12-31' ? certifiedAt : '2024-01-01', 3 * 365 - 1)
    const statusSince =
      status === 'active'
        ? certifiedAt
        : status === 'expired'
          ? addDays(validUntil, 1)
          : addDays(certifiedAt, 60 + Math.floor(random() * 400))
    records.push({
      uscc,
      name,
      countyCode: county.code,
      sectorCode: sector.code,
      address: `丽水市${county.name}${town}${pick(random, streets)} ${1 + Math.floor(random() * 300)} 号`,
      certifiedAt,
      validUntil,
      status,
      statusSince: status === 'expired' && statusSince > '2026-11-01' ? '2026-11-01' : statusSince,
      reason:
        status === 'revoked'
          ? '专项检查发现计量器具作弊，依据《浙江省计量监督管理条例》撤销认定'
          : status === 'suspended'
            ? '计量器具未按期检定，责令整改期间暂停认定'
            : undefined,
    })
  }
  return records
}
