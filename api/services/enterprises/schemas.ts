import { z } from '@hono/zod-openapi'
import { certificationEventKinds, certificationStatuses } from '../../../db/database.ts'

export const statusSchema = z.enum(certificationStatuses).openapi({
  description: '认定状态：active 有效，suspended 暂停，revoked 撤销，expired 过期',
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

export const enterprisePageSchema = z
  .object({
    items: z.array(enterpriseSchema),
    total: z.number().int(),
    page: z.number().int(),
    pageSize: z.number().int(),
  })
  .openapi('EnterprisePage')

export type EnterpriseItem = z.infer<typeof enterpriseSchema>
