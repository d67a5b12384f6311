import {
  categoryLabels,
  complaintCategories,
  kindExplanations,
  unitLabels,
  type ComplaintCategory,
} from '../../domain/complaints.ts'
import { countyCodes } from '../../domain/counties.ts'
import { ApiError } from '../../errors.ts'

/**
 * The services (GeoReport v2 `GET services`): one per complaint category (api/domain/
 * complaints.ts), so `service_code` is the category's code. Whether it is a 投诉 or a 举报 is
 * the required attribute `kind`: the two share every field but the resident's contact, and a
 * list of sixteen services would make an app ask the hardest question first.
 */
interface Open311Service {
  service_code: ComplaintCategory
  service_name: string
  description: string
  metadata: true
  /** `realtime`: the request's id (受理编号) comes back in the answer to the POST. */
  type: 'realtime'
  keywords: string
  group: string
}

const serviceTexts: Record<ComplaintCategory, { description: string; keywords: string }> = {
  short_weight: {
    description: '买到的商品分量不足：称重、计量少给，例如菜场、超市、水果店缺斤短两。',
    keywords: '缺斤短两,短秤,分量不足,鬼秤',
  },
  rigged_instrument: {
    description: '商户使用被改装、作弊或未经检定的秤、电子秤等计量器具。',
    keywords: '作弊秤,遥控秤,电子秤,计量器具',
  },
  fuel_dispenser: {
    description: '加油站、加气站的加油机、加气机计量不准或被改装。',
    keywords: '加油机,加油站,加气站,油量不足',
  },
  taxi_meter: {
    description: '出租车计价器计费异常、跳表过快或被改装。',
    keywords: '出租车,计价器,跳表',
  },
  utility_meter: {
    description: '家用水表、电表、燃气表计量异常，例如读数明显偏大。',
    keywords: '水表,电表,燃气表,民用三表',
  },
  optical: {
    description: '眼镜店验光、配镜的计量问题，例如验光设备不准、镜片度数不符。',
    keywords: '眼镜,验光,配镜,度数',
  },
  medical: {
    description: '医疗机构的血压计、体温计等医用计量器具不准或未经检定。',
    keywords: '医疗,血压计,体温计,医用计量',
  },
  other: {
    description: '其他计量问题，例如法定计量单位使用不规范。',
    keywords: '计量,其他',
  },
}

const open311Services: Open311Service[] = complaintCategories.map((code) => ({
  service_code: code,
  service_name: categoryLabels[code],
  description: serviceTexts[code].description,
  metadata: true,
  type: 'realtime',
  keywords: serviceTexts[code].keywords,
  group: '计量投诉举报',
}))

type Datatype = 'string' | 'number' | 'datetime' | 'text' | 'singlevaluelist' | 'multivaluelist'

/** One attribute of a service definition, as the specification names its fields. */
interface Open311Attribute {
  /** true: the resident answers it (false would be information only). */
  variable: true
  code: string
  datatype: Datatype
  required: boolean
  datatype_description: string
  order: number
  description: string
  values?: { key: string; name: string }[]
}

/** The attributes every service takes; `attribute[code]=…` in the POST. */
const commonAttributes: Omit<Open311Attribute, 'order'>[] = [
  {
    variable: true,
    code: 'kind',
    datatype: 'singlevaluelist',
    required: true,
    datatype_description: '投诉须同时提供 first_name 或 last_name 和 phone；举报可匿名。',
    description: '投诉还是举报',
    values: [
      { key: 'complaint', name: `投诉：${kindExplanations.complaint}` },
      { key: 'report', name: `举报：${kindExplanations.report}` },
    ],
  },
  {
    variable: true,
    code: 'merchant_name',
    datatype: 'string',
    required: true,
    datatype_description: '最多 200 个字，例如摊主姓名、店名或加油站名称。',
    description: '商户或单位名称',
  },
  {
    variable: true,
    code: 'occurred_at',
    datatype: 'datetime',
    required: true,
    datatype_description:
      '北京时间 YYYY-MM-DDTHH:mm，或带时区的 ISO 8601（如 2026-11-26T09:10:00+08:00）；不能晚于现在，不能早于三年前。',
    description: '发生时间',
  },
  {
    variable: true,
    code: 'consent',
    datatype: 'singlevaluelist',
    required: true,
    datatype_description:
      '须由投诉举报人本人阅读《个人信息保护说明》（/complaints/privacy）后选择同意；应用不得代为勾选。',
    description: '同意《个人信息保护说明》',
    values: [{ key: 'true', name: '我已阅读并同意《个人信息保护说明》' }],
  },
  {
    variable: true,
    code: 'merchant_uscc',
    datatype: 'string',
    required: false,
    datatype_description: '18 位统一社会信用代码；不清楚可以不填。',
    description: '商户统一社会信用代码',
  },
  {
    variable: true,
    code: 'sms_updates',
    datatype: 'singlevaluelist',
    required: false,
    datatype_description: '留了手机号时默认接收。',
    description: '是否接收办理进展短信',
    values: [
      { key: 'true', name: '接收' },
      { key: 'false', name: '不接收' },
    ],
  },
]

/** The short-weight evidence: the four go together (unit_price may be left out). */
const shortWeightAttributes: Omit<Open311Attribute, 'order'>[] = [
  {
    variable: true,
    code: 'claimed_quantity',
    datatype: 'number',
    required: false,
    datatype_description: '0 到 1000000 之间的数字；填写时须同时填 measured_quantity 和 unit。',
    description: '商户标称的数量',
  },
  {
    variable: true,
    code: 'measured_quantity',
    datatype: 'number',
    required: false,
    datatype_description: '0 到 1000000 之间的数字，应少于标称数量。',
    description: '复秤得到的实际数量',
  },
  {
    variable: true,
    code: 'unit',
    datatype: 'singlevaluelist',
    required: false,
    datatype_description: '两个数量的计量单位。',
    description: '计量单位',
    values: Object.entries(unitLabels).map(([key, name]) => ({ key, name })),
  },
  {
    variable: true,
    code: 'unit_price',
    datatype: 'number',
    required: false,
    datatype_description: '元，0 到 1000000 之间的数字；用于计算短缺金额。',
    description: '单价（元）',
  },
]

export interface Open311ServiceDefinition {
  service_code: ComplaintCategory
  attributes: Open311Attribute[]
}

const isCategory = (code: string): code is ComplaintCategory =>
  (complaintCategories as readonly string[]).includes(code)

/** `GET services/{service_code}`: the attributes a request for the service takes. */
export function open311ServiceDefinition(code: string): Open311ServiceDefinition {
  if (!isCategory(code)) {
    throw new ApiError(
      'NOT_FOUND',
      `没有服务代码为“${code.slice(0, 40)}”的服务，请查看 services 列表。`,
    )
  }
  const attributes = [
    ...commonAttributes,
    ...(code === 'short_weight' ? shortWeightAttributes : []),
  ].map((a, i) => ({ ...a, order: i + 1 }))
  return { service_code: code, attributes }
}

/**
 * `jurisdiction_id`: the city (331100) or one of its counties (GB/T 2260). The services are the
 * same everywhere; an id that is neither is not ours.
 */
export function checkJurisdiction(id: string | undefined | null): void {
  if (id === undefined || id === null || id === '') return
  if (id !== '331100' && !(countyCodes as readonly string[]).includes(id)) {
    throw new ApiError(
      'NOT_FOUND',
      `jurisdiction_id“${id.slice(0, 20)}”不是丽水市（331100）或其区县的代码。`,
    )
  }
}

export function open311ServiceList(jurisdictionId: string | undefined | null) {
  checkJurisdiction(jurisdictionId)
  return open311Services
}

/** `GET discovery`: where the endpoint is, which formats it speaks and how to get a key. */
export function open311Discovery(siteUrl: string) {
  const { origin } = new URL(siteUrl)
  // The day this endpoint's contract last changed (issue 27); bump it with any change.
  const changeset = '2026-12-08T09:50:00+08:00'
  return {
    changeset,
    contact: `丽水市市场监督管理局诚信计量公开平台。接入说明：${origin}/developers/`,
    key_service: `${origin}/developers/#api-key`,
    endpoints: [
      {
        specification: 'http://wiki.open311.org/GeoReport_v2',
        url: `${origin}/open311/v2`,
        changeset,
        type: 'production',
        formats: ['application/json', 'text/xml'],
      },
    ],
  }
}
