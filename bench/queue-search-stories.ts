import type { ComplaintCategory } from '../db/database.ts'

/** Numbers in [0, 1) from a seeded generator (scripts/demo/generate.ts prng). */
export type Random = () => number

export const pick = <T>(random: Random, items: readonly T[]): T =>
  items[Math.floor(random() * items.length)]!

/** One of `items`, each as likely as its weight. */
export function weighted<T>(random: Random, items: readonly (readonly [T, number])[]): T {
  let roll = random() * items.reduce((sum, [, weight]) => sum + weight, 0)
  for (const [item, weight] of items) {
    roll -= weight
    if (roll <= 0) return item
  }
  return items[0]![0]
}

/** `n` random decimal digits. */
export const digits = (random: Random, n: number) =>
  Array.from({ length: n }, () => Math.floor(random() * 10)).join('')

interface County {
  code: string
  name: string
  towns: readonly string[]
}

const county = (code: string, name: string, towns: string) => ({
  code,
  name,
  towns: towns.split(' '),
})

// Weighted by complaints: the city district has the most people and markets.
const counties: (readonly [County, number])[] = [
  [county('331102', '莲都区', '紫金街道 岩泉街道 万象街道 白云街道 碧湖镇'), 24],
  [county('331121', '青田县', '鹤城街道 瓯南街道 油竹街道 温溪镇 船寮镇'), 12],
  [county('331122', '缙云县', '五云街道 新建镇 壶镇镇 东渡镇 舒洪镇'), 12],
  [county('331123', '遂昌县', '妙高街道 云峰街道 北界镇 湖山乡 大柘镇'), 8],
  [county('331124', '松阳县', '西屏街道 水南街道 望松街道 古市镇 象溪镇'), 8],
  [county('331125', '云和县', '浮云街道 元和街道 白龙山街道 崇头镇 紧水滩镇'), 6],
  [county('331126', '庆元县', '濛洲街道 松源街道 屏都街道 竹口镇 黄田镇'), 6],
  [county('331127', '景宁畲族自治县', '红星街道 鹤溪街道 沙湾镇 渤海镇 东坑镇'), 6],
  [county('331181', '龙泉市', '剑池街道 西街街道 龙渊街道 八都镇 上垟镇'), 18],
]

const words = (list: string) => list.split(' ')
const brands = words('万象 丽阳 瓯江 紫金 仙都 好溪 白云 南明 金山 剑瓷')
const brands2 = words('和顺 惠民 诚信 公平 放心 同心 明珠 兴旺 鼎丰 家乐')
const streets = words('解放街 中山街 丽阳街 人民路 环城路 城北路 江滨路 府前路')
const goods = words('排骨 五花肉 牛肉 带鱼 基围虾 螃蟹 苹果 葡萄 香菇 大米')
const surnames = words('王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 林 叶')
const givenNames = words('伟 芳 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟')

const town = (random: Random, c: County) => pick(random, c.towns).replace(/(街道|镇|乡)$/, '')
const brand = (random: Random) => pick(random, brands) + pick(random, brands2)
const stall = (random: Random, c: County) =>
  `${town(random, c)}${pick(random, brands)}农贸市场${1 + Math.floor(random() * 120)}号摊位`
const upTo = (random: Random, n: number) => 1 + Math.floor(random() * n)

interface Story {
  category: ComplaintCategory
  merchantName: string
  description: string
  /** 缺斤短两 evidence: claimed and measured weight in jin and the price per jin. */
  figures?: { claimed: number; measured: number; unitPrice: number }
}

function shortWeight(random: Random, c: County): Story {
  const merchantName =
    random() < 0.6
      ? stall(random, c)
      : `${brand(random)}${pick(random, ['超市', '水果店', '海鲜批发部', '粮油店'])}`
  const claimed = upTo(random, 6)
  const measured = claimed - upTo(random, 4) / 10
  const unitPrice = 8 + Math.floor(random() * 60)
  const recheck = pick(random, ['回家用电子秤复秤', '到市场公平秤复核', '请隔壁摊位帮忙复称'])
  return {
    category: 'short_weight',
    merchantName,
    description:
      `在${merchantName}买了${claimed}斤${pick(random, goods)}，单价${unitPrice}元/斤，` +
      `${recheck}，只有${measured}斤，缺斤短两，少了${Math.round((claimed - measured) * 10)}两，` +
      '要求退还差价。',
    figures: { claimed, measured, unitPrice },
  }
}

/** What residents report, by the kind of business, in their words; weighted by how often. */
const stories: (readonly [(random: Random, c: County) => Story, number])[] = [
  [shortWeight, 45],
  [
    (random, c) => {
      const merchantName = stall(random, c)
      return {
        category: 'rigged_instrument',
        merchantName,
        description:
          `${merchantName}摊主的电子秤疑似装有遥控作弊装置，同一袋${pick(random, goods)}称了两次` +
          `读数相差${1 + upTo(random, 5)}两，秤盘下面好像贴了东西，请求查处。`,
      }
    },
    10,
  ],
  [
    (random, c) => {
      const merchantName = `${pick(random, ['中国石化', '中国石油'])}${town(random, c)}${pick(random, brands)}加油站`
      const capacity = 45 + Math.floor(random() * 15)
      return {
        category: 'fuel_dispenser',
        merchantName,
        description:
          `在${merchantName}${upTo(random, 8)}号加油机加了${capacity + 1 + upTo(random, 6)}升92号汽油，` +
          `油箱标称容量只有${capacity}升，加之前还剩小半箱，怀疑加油机计量不准。`,
      }
    },
    12,
  ],
  [
    (random, c) => {
      const plate = `浙K·T${digits(random, 4)}`
      const usual = 12 + Math.floor(random() * 20)
      return {
        category: 'taxi_meter',
        merchantName: `${c.name.slice(0, 2)}${brand(random)}出租汽车有限公司（${plate}）`,
        description:
          `乘坐${plate}出租车从${pick(random, streets)}到${c.name.slice(0, 2)}汽车站，平时约${usual}元，` +
          `这次计价器显示${usual + 7 + upTo(random, 15)}元，跳表特别快，怀疑计价器被改装。`,
      }
    },
    8,
  ],
  [
    (random, c) => {
      const [meter, company] = pick(random, [
        ['水', `${c.name}供水有限公司`],
        ['电', `国网${c.name}供电公司`],
        ['燃气', `${c.name}燃气有限公司`],
      ] as const)
      return {
        category: 'utility_meter',
        merchantName: company,
        description:
          `家里${meter}表${upTo(random, 12)}月读数比往月多了${1 + upTo(random, 3)}倍，` +
          `家里平时只有老人住，怀疑${meter}表计量不准，申请检定。`,
      }
    },
    10,
  ],
  [
    (random) => {
      const merchantName = `${brand(random)}眼镜店`
      const prescribed = 200 + 25 * Math.floor(random() * 16)
      return {
        category: 'optical',
        merchantName,
        description:
          `在${merchantName}配的眼镜，验光单右眼${prescribed}度，到医院复查镜片只有` +
          `${prescribed - 75}度，戴着头晕，店家不肯重配。`,
      }
    },
    6,
  ],
  [
    (random, c) => ({
      category: 'medical',
      merchantName: pick(random, [`${c.name}人民医院`, `${c.name}中医院`, `${brand(random)}诊所`]),
      description: '门诊的血压计测量结果和家里差很多，询问后得知没有按期检定，担心影响诊断。',
    }),
    4,
  ],
  [
    (random) => {
      const shown = 20 + Math.floor(random() * 30)
      return {
        category: 'other',
        merchantName: `${brand(random)}充电站`,
        description: `充电桩显示充了${shown}度电，车辆仪表只增加了${shown - 6}度，怀疑充电桩计量有问题。`,
      }
    },
    5,
  ],
]

/** A resident's complaint: where, about whom, what happened, and (for a 投诉) who they are. */
export function residentStory(random: Random) {
  const c = weighted(random, counties)
  const story = weighted(random, stories)(random, c)
  return {
    ...story,
    countyCode: c.code,
    address: `丽水市${c.name}${pick(random, c.towns)}${pick(random, streets)}${upTo(random, 300)}号`,
    name: pick(random, surnames) + pick(random, givenNames),
    phone: `1${pick(random, ['35', '37', '39', '58', '59', '88'])}${digits(random, 8)}`,
  }
}
