import { z } from '@hono/zod-openapi'
import type { App } from '../../env.ts'
import { complaintCategories } from '../../domain/complaints.ts'
import { open311Formats } from '../../domain/open311.ts'

/** The key an app registered with the bureau sends as `api_key` (api/services/open311/keys.ts). */
const open311KeyScheme = 'open311ApiKey'

const formatParam = z.enum(open311Formats).openapi({
  param: { name: 'format', in: 'path' },
  description: 'json 或 xml（GeoReport v2 以路径后缀选择格式）',
  example: 'json',
})

const jurisdictionQuery = z
  .string()
  .optional()
  .openapi({
    param: { name: 'jurisdiction_id', in: 'query' },
    description: '丽水市 331100 或区县代码（可不填）',
    example: '331102',
  })

const errorsSchema = z
  .array(
    z.object({
      /** The HTTP status. */
      code: z.number().int(),
      description: z.string().openapi({ description: '中文说明，指出哪个字段有误、如何改正' }),
    }),
  )
  .openapi('Open311Errors')

const xmlOf = (root: string) => ({
  'text/xml': {
    schema: z.string().openapi({ description: `XML，根元素 <${root}>，元素名同 GeoReport v2。` }),
  },
})

const errors = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((s) => [
      s,
      {
        description:
          {
            400: 'A field is missing or wrong: one error per field.',
            403: 'The api_key is invalid or revoked.',
            404: 'No such service, request or jurisdiction.',
            413: 'The body is larger than the limit.',
            415: 'Not a form.',
            429: 'Too many calls for this key (or address); see Retry-After.',
          }[s] ?? 'Error.',
        content: { 'application/json': { schema: errorsSchema }, ...xmlOf('errors') },
      },
    ]),
  )

const serviceSchema = z
  .object({
    /** The complaint category's code. */
    service_code: z.enum(complaintCategories),
    service_name: z.string(),
    description: z.string(),
    metadata: z.boolean(),
    type: z.enum(['realtime', 'batch', 'blackbox']),
    keywords: z.string(),
    group: z.string(),
  })
  .openapi('Open311Service')

const definitionSchema = z
  .object({
    service_code: z.enum(complaintCategories),
    attributes: z.array(
      z.object({
        variable: z.boolean(),
        code: z.string(),
        datatype: z.enum([
          'string',
          'number',
          'datetime',
          'text',
          'singlevaluelist',
          'multivaluelist',
        ]),
        required: z.boolean(),
        datatype_description: z.string(),
        order: z.number().int(),
        description: z.string(),
        values: z.array(z.object({ key: z.string(), name: z.string() })).optional(),
      }),
    ),
  })
  .openapi('Open311ServiceDefinition')

const requestSchema = z
  .object({
    /** 受理编号 */
    service_request_id: z.string(),
    status: z.enum(['open', 'closed']),
    status_notes: z.string().openapi({ description: '中文办理状态；办结后附公开答复' }),
    service_name: z.string(),
    service_code: z.enum(complaintCategories),
    agency_responsible: z.string(),
    requested_datetime: z.string(),
    updated_datetime: z.string(),
    expected_datetime: z.string().optional().openapi({ description: '法定办理期限（办理中时）' }),
  })
  .openapi('Open311Request')

const receiptSchema = z
  .array(
    z.object({
      service_request_id: z.string(),
      service_notice: z
        .string()
        .openapi({ description: '含受理编号、查询码和办理期限，请转告投诉举报人' }),
      account_id: z.null(),
    }),
  )
  .openapi('Open311RequestReceipt')

const discoverySchema = z
  .object({
    changeset: z.string(),
    contact: z.string(),
    key_service: z.string(),
    endpoints: z.array(
      z.object({
        specification: z.string(),
        url: z.string(),
        changeset: z.string(),
        type: z.enum(['production', 'test']),
        formats: z.array(z.string()),
      }),
    ),
  })
  .openapi('Open311Discovery')

const optionalText = (description: string) => z.string().optional().openapi({ description })

const newRequestSchema = z
  .object({
    api_key: z.string().openapi({ description: '市局发放的密钥（也可放在查询参数 api_key 中）' }),
    service_code: z.enum(complaintCategories),
    jurisdiction_id: z.string().openapi({ description: '事发区县代码，如 331102' }),
    address_string: z.string().openapi({ description: '事发地址（必填；本平台不使用经纬度）' }),
    description: z.string().openapi({ description: '事情经过，10 到 5000 字' }),
    last_name: optionalText('姓（投诉必填姓名）'),
    first_name: optionalText('名'),
    phone: optionalText('电话（投诉必填）'),
    'attribute[kind]': z.enum(['complaint', 'report']),
    'attribute[merchant_name]': z.string(),
    'attribute[occurred_at]': z.string(),
    'attribute[consent]': z
      .literal('true')
      .openapi({ description: '投诉举报人本人同意《个人信息保护说明》；不得代为勾选' }),
    'attribute[merchant_uscc]': optionalText('统一社会信用代码'),
    'attribute[sms_updates]': z.enum(['true', 'false']).optional(),
    'attribute[claimed_quantity]': optionalText('标称数量（缺斤短两）'),
    'attribute[measured_quantity]': optionalText('实际数量'),
    'attribute[unit]': optionalText('计量单位代码，见服务定义'),
    'attribute[unit_price]': optionalText('单价（元）'),
    lat: optionalText('不使用'),
    long: optionalText('不使用'),
    email: optionalText('不保存'),
    device_id: optionalText('不保存'),
    account_id: optionalText('不保存'),
    media_url: optionalText('不接受：本平台不从外部地址下载照片'),
  })
  .openapi('Open311NewRequest')

const formatParams = z.object({ format: formatParam })
const publicGet = [{}, { [open311KeyScheme]: [] }]

/** The Open311 operations in the OpenAPI document, relative to /open311/v2. */
export function documentOpen311Routes(app: App) {
  const registry = app.openAPIRegistry
  registry.registerComponent('securitySchemes', open311KeyScheme, {
    type: 'apiKey',
    in: 'query',
    name: 'api_key',
    description:
      'Open311 接入密钥：由丽水市市场监督管理局的市局管理员为登记的应用创建，只显示一次。提交服务请求必须带上（查询参数或表单字段 api_key）；查询可不带，带上时按密钥计数限流。见 /developers/。',
  })
  registry.registerPath({
    method: 'get',
    path: '/discovery.{format}',
    operationId: 'getOpen311Discovery',
    security: [],
    summary: 'Open311 服务发现：接口地址、格式和密钥申请方式',
    request: { params: formatParams },
    responses: {
      200: {
        description: 'The discovery document.',
        content: { 'application/json': { schema: discoverySchema }, ...xmlOf('discovery') },
      },
      ...errors(404),
    },
  })
  registry.registerPath({
    method: 'get',
    path: '/services.{format}',
    operationId: 'listOpen311Services',
    security: [],
    summary: 'Open311 服务列表：计量投诉举报的问题类别',
    request: { params: formatParams, query: z.object({ jurisdiction_id: jurisdictionQuery }) },
    responses: {
      200: {
        description: 'One service per complaint category.',
        content: { 'application/json': { schema: z.array(serviceSchema) }, ...xmlOf('services') },
      },
      ...errors(404),
    },
  })
  registry.registerPath({
    method: 'get',
    path: '/services/{service_code}.{format}',
    operationId: 'getOpen311ServiceDefinition',
    security: [],
    summary: 'Open311 服务定义：提交时要填的属性（attribute）',
    request: {
      params: z.object({
        service_code: z
          .enum(complaintCategories)
          .openapi({ param: { name: 'service_code', in: 'path' }, example: 'short_weight' }),
        format: formatParam,
      }),
      query: z.object({ jurisdiction_id: jurisdictionQuery }),
    },
    responses: {
      200: {
        description: 'The attributes, in order.',
        content: {
          'application/json': { schema: definitionSchema },
          ...xmlOf('service_definition'),
        },
      },
      ...errors(404),
    },
  })
  registry.registerPath({
    method: 'post',
    path: '/requests.{format}',
    operationId: 'fileOpen311Request',
    security: [{ [open311KeyScheme]: [] }],
    summary: 'Open311 提交服务请求：代居民提交投诉或举报（表单）',
    description:
      'Form-encoded (GeoReport v2). Filed through the same intake as POST /api/complaints: the ' +
      'same checks, the per-phone limit, OPEN311_REQUESTS_PER_KEY an hour per key, the resident ' +
      "consent (`attribute[consent]=true`, the resident's own), name and phone sealed. An " +
      '`Idempotency-Key` header makes a retry answer with the first receipt (header ' +
      '`Idempotent-Replayed: true`). Answers 201 with the tracking number (受理编号) as ' +
      '`service_request_id`; `service_notice` holds the query code for the resident.',
    request: {
      params: formatParams,
      body: {
        required: true,
        content: {
          'application/x-www-form-urlencoded': {
            schema: newRequestSchema,
            example: {
              api_key: 'o311_3mQ9xV7cK2pL8sT4wY6zA1bN5dF0gH3j',
              service_code: 'short_weight',
              jurisdiction_id: '331102',
              address_string: '莲都区城东农贸市场 12 号摊位',
              description: '买排骨 2 斤，回家复称只有 1 斤 7 两，怀疑电子秤被改动。',
              last_name: '王',
              first_name: '丽',
              phone: '13800001234',
              'attribute[kind]': 'complaint',
              'attribute[merchant_name]': '城东农贸市场 12 号摊位',
              'attribute[occurred_at]': '2026-11-26T09:10',
              'attribute[consent]': 'true',
              'attribute[claimed_quantity]': '2',
              'attribute[measured_quantity]': '1.7',
              'attribute[unit]': 'jin',
              'attribute[unit_price]': '36',
            },
          },
        },
      },
    },
    responses: {
      201: {
        description: 'Filed: committed before this answer.',
        content: {
          'application/json': { schema: receiptSchema },
          ...xmlOf('service_requests'),
        },
      },
      ...errors(400, 403, 413, 415, 429),
    },
  })
  registry.registerPath({
    method: 'get',
    path: '/requests.{format}',
    operationId: 'listOpen311Requests',
    security: publicGet,
    summary: 'Open311 查询服务请求（仅通过 Open311 提交的；不含个人信息）',
    description:
      'Requests filed through Open311 only, newest first, at most 1,000; with ' +
      '`service_request_id` (comma-separated, at most 100) the other filters are ignored, ' +
      'otherwise `start_date`/`end_date` (W3C datetime, at most 90 days apart; default the last ' +
      '90 days), `service_code` and `status` (open, closed). Never personal data: no ' +
      'description, address, merchant, name or phone.',
    request: {
      params: formatParams,
      query: z.object({
        service_request_id: z
          .string()
          .optional()
          .openapi({
            param: { name: 'service_request_id', in: 'query' },
            example: 'JL20261206-4827-3915',
          }),
        service_code: z
          .string()
          .optional()
          .openapi({
            param: { name: 'service_code', in: 'query' },
            example: 'short_weight',
          }),
        start_date: z
          .string()
          .optional()
          .openapi({
            param: { name: 'start_date', in: 'query' },
            example: '2026-11-01T00:00:00+08:00',
          }),
        end_date: z
          .string()
          .optional()
          .openapi({
            param: { name: 'end_date', in: 'query' },
            example: '2026-12-01T00:00:00+08:00',
          }),
        status: z
          .string()
          .optional()
          .openapi({
            param: { name: 'status', in: 'query' },
            example: 'open',
          }),
      }),
    },
    responses: {
      200: {
        description: 'The requests.',
        content: {
          'application/json': { schema: z.array(requestSchema) },
          ...xmlOf('service_requests'),
        },
      },
      ...errors(400, 403, 429),
    },
  })
  registry.registerPath({
    method: 'get',
    path: '/requests/{service_request_id}.{format}',
    operationId: 'getOpen311Request',
    security: publicGet,
    summary: 'Open311 查询一件服务请求的状态和公开答复（不含个人信息）',
    request: {
      params: z.object({
        service_request_id: z.string().openapi({
          param: { name: 'service_request_id', in: 'path' },
          example: 'JL20261206-4827-3915',
        }),
        format: formatParam,
      }),
    },
    responses: {
      200: {
        description: 'A list of one request, as the specification answers.',
        content: {
          'application/json': { schema: z.array(requestSchema) },
          ...xmlOf('service_requests'),
        },
      },
      ...errors(403, 404, 429),
    },
  })
}
