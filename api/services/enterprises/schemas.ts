import { z } from '@hono/zod-openapi'
import { certificationEventKinds, certificationStatuses } from '../../../db/database.ts'
import { creditGrades } from '../../domain/credit.ts'

export const statusSchema = z.enum(certificationStatuses).openapi({
  description: '认定状态：active 有效，suspended 暂停，revoked 撤销，expired 过期',
})

export const gradeSchema = z.enum(creditGrades).openapi({
  description: '信用等级：A 信用风险低，B 信用风险一般，C 信用风险较高，D 信用风险高',
})

export const enterpriseSchema = z
  .object({
    /** 统一社会信用代码 */
    uscc: z.string().openapi({ example: '91331102MA2E0000X1' }),
    name: z.string(),
    /** County code (GB/T 2260). */
    county: z.string(),
    countyName: z.string(),
    /** Sector code, e.g. `market`. */
    sector: z.string(),
    sectorName: z.string(),
    status: statusSchema,
    /** The day the current status began. */
    statusSince: z.string(),
    certifiedAt: z.string(),
    validUntil: z.string(),
    address: z.string(),
    grade: gradeSchema.nullable().openapi({
      description: '当前信用等级；null 表示暂无信用等级（按一般风险管理）',
    }),
  })
  .openapi('Enterprise')

const certificationEventSchema = z
  .object({
    kind: z.enum(certificationEventKinds),
    occurredOn: z.string(),
    validUntil: z.string().nullable(),
    reason: z.string().nullable(),
  })
  .openapi('CertificationEvent')

export const enterpriseDetailSchema = enterpriseSchema
  .extend({ history: z.array(certificationEventSchema), isDemo: z.boolean() })
  .openapi('EnterpriseDetail')

const understoodFilterSchema = z.object({
  /** The county or sector code. */
  value: z.string(),
  /** Its Chinese name. */
  label: z.string(),
  /** The word of the query that named it. */
  word: z.string(),
})

/** The county and sector a query's words chose, or null. */
export const understoodSchema = z
  .object({ county: understoodFilterSchema.optional(), sector: understoodFilterSchema.optional() })
  .nullable()
  .openapi('UnderstoodQuery', {
    description:
      '从搜索词中读出并已作为筛选条件的区县、行业（如“莲都加油站”→ 莲都区 · 加油站）；没有读出或按原词搜索时为 null。加 typed=1 按原词搜索',
  })

export const enterprisePageSchema = z
  .object({
    items: z.array(enterpriseSchema),
    total: z.number().int(),
    page: z.number().int(),
    pageSize: z.number().int(),
    understood: understoodSchema.optional(),
  })
  .openapi('EnterprisePage')

export type EnterpriseItem = z.infer<typeof enterpriseSchema>
