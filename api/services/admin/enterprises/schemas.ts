import { z } from '@hono/zod-openapi'
import { certificationEventKinds } from '../../../../db/database.ts'
import { enterpriseSchema, statusSchema } from '../../enterprises/schemas.ts'

const enterpriseActionNames = ['suspend', 'reinstate', 'revoke', 'renew', 'edit'] as const
/** 暂停 / 恢复 / 撤销 / 续期 / 修改 */
export type EnterpriseAction = (typeof enterpriseActionNames)[number]

const reason = z
  .string('请填写变更原因')
  .trim()
  .min(1, '请填写变更原因，例如检查结论或决定书文号')
  .max(500, '变更原因最多 500 个字，请精简')
  .openapi({ description: '变更原因（必填），记入认定记录并公开' })

const version = z
  .string('缺少版本信息，请刷新页面后重试')
  .min(1, '缺少版本信息，请刷新页面后重试')
  .max(40, '版本信息有误，请刷新页面后重试')
  .openapi({ description: '读取时的 version；他人已先修改时返回 409' })

const day = z
  .string('请填写日期')
  .trim()
  .regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 2029-12-31')
  .refine((v) => !Number.isNaN(Date.parse(`${v}T00:00:00Z`)), '这一天不存在，请核对日期')

const text = (label: string, max: number) =>
  z.string(`请填写${label}`).trim().min(1, `${label}不能为空`).max(max, `${label}最多 ${max} 个字`)

const base = { reason, version }

/** One console action on a business, as the API and the console page receive it. */
export const enterpriseChangeSchema = z
  .discriminatedUnion(
    'action',
    [
      z.object({ action: z.literal('suspend'), ...base }),
      z.object({ action: z.literal('reinstate'), ...base }),
      z.object({ action: z.literal('revoke'), ...base }),
      z.object({ action: z.literal('renew'), ...base, validUntil: day }),
      z.object({
        action: z.literal('edit'),
        ...base,
        name: text('单位名称', 200).optional(),
        address: text('地址', 500).optional(),
        county: z
          .string()
          .regex(/^\d{6}$/, '区县代码应为 6 位数字，例如 331102（莲都区）')
          .optional(),
        sector: z
          .string()
          .regex(/^[a-z_]{1,40}$/, '行业代码应为小写英文，例如 market（集贸市场）')
          .optional(),
      }),
    ],
    { error: '请选择操作：suspend 暂停、reinstate 恢复、revoke 撤销、renew 续期或 edit 修改' },
  )
  .openapi('EnterpriseChange')

export type EnterpriseChange = z.infer<typeof enterpriseChangeSchema>

const consoleHistoryEntrySchema = z
  .object({
    kind: z.enum(certificationEventKinds),
    occurredOn: z.string(),
    validUntil: z.string().nullable(),
    reason: z.string().nullable(),
    /** Where the change came from: `console:<username>`, `import:<file>`, `system:expiry`… */
    source: z.string(),
    /** When it was recorded (ISO 8601). */
    recordedAt: z.string(),
  })
  .openapi('ConsoleCertificationEvent')

export const consoleEnterpriseSchema = enterpriseSchema
  .extend({
    isDemo: z.boolean(),
    /** Send back with an action: a change made meanwhile by someone else answers 409. */
    version: z.string(),
    allowedActions: z.array(z.enum(enterpriseActionNames)),
    history: z.array(consoleHistoryEntrySchema),
  })
  .openapi('ConsoleEnterprise')

export type ConsoleEnterprise = z.infer<typeof consoleEnterpriseSchema>

export const consoleListQuerySchema = z.object({
  /** Part of a name, an address or a credit code. */
  q: z
    .string()
    .transform((v) => v.replace(/\p{Cc}/gu, '').trim())
    .pipe(z.string().max(100, '搜索词最多 100 个字'))
    .optional(),
  status: statusSchema.optional(),
  county: z
    .string()
    .regex(/^\d{6}$/, '区县代码应为 6 位数字，例如 331102（莲都区）')
    .optional(),
  page: z.coerce
    .number()
    .int('页码应为整数')
    .min(1, '页码从 1 开始')
    .max(10_000, '页码过大')
    .default(1),
})

export type ConsoleListQuery = z.infer<typeof consoleListQuerySchema>
