import { z } from 'zod'
import { searchAuditLog } from '../../../db/queries/audit-log.ts'
import type { ServiceContext } from '../../deps.ts'
import { beijingMidnight } from '../../domain/beijing-time.ts'
import { consoleVerb, parseConsoleInput, type ConsoleAccess } from './console-request.ts'
import { normalizeTrackingNo, trackingNoPattern } from '../../domain/tracking-codes.ts'

const auditPageSize = 50

const optionalText = (max: number, message: string) =>
  z
    .string()
    .trim()
    .max(max, message)
    .optional()
    .transform((v) => (v === '' ? undefined : v))

const day = z
  .string()
  .trim()
  .optional()
  .transform((v) => (v === '' ? undefined : v))
  .pipe(z.iso.date('日期格式应为 2026-11-27（年-月-日）').optional())

/** The audit log's filters, as the API's query string and the console page's form send them. */
export const auditFiltersSchema = z
  .object({
    /** 操作人用户名 (exact) */
    operator: optionalText(100, '用户名最多 100 个字符'),
    /** An action such as `case.pii_revealed`, or a family such as `auth.*`. */
    action: optionalText(60, '操作类型最多 60 个字符').pipe(
      z
        .string()
        .regex(/^[a-z_.]+(\.\*)?$/, '操作类型应为 auth.sign_in 这样的代码，或 auth.* 表示一类')
        .optional(),
    ),
    /** A complaint's id or its tracking number (受理编号). */
    complaintId: optionalText(40, '案件编号最多 40 个字符').pipe(
      z
        .string()
        .refine(
          (v) => /^\d{1,18}$/.test(v) || trackingNoPattern.test(normalizeTrackingNo(v)),
          '请填写受理编号（如 JL20261206-4827-3915）或案件的数字编号',
        )
        .optional(),
    ),
    /** 起始日期 (China Standard Time, inclusive) */
    from: day,
    /** 截止日期 (China Standard Time, inclusive) */
    to: day,
    page: z.coerce
      .number('页码应为数字，例如 2')
      .int('页码应为整数')
      .min(1, '页码从 1 开始')
      .max(10_000, '页码最大为 10000，请缩小日期范围再查')
      .default(1),
  })
  .refine((f) => !f.from || !f.to || f.from <= f.to, {
    error: '起始日期不能晚于截止日期，请调换两个日期',
    path: ['to'],
  })

type AuditFilters = z.output<typeof auditFiltersSchema>

export interface AuditEntryView {
  id: string
  occurredAt: string
  username: string
  action: string
  complaintId: string | null
  trackingNo: string | null
  enterpriseUscc: string | null
  clientAddress: string
  detail: Record<string, unknown>
}

/**
 * The audit log is the city bureau's to read: the audit page and GET /api/admin/audit pass this
 * one rule to openConsole, which refuses anyone else before their filters are read.
 */
export const auditReaders: ConsoleAccess = {
  roles: ['city_admin'],
  refusal: '只有市局管理员可以查看审计日志。',
}

/** The audit log, newest first. */
async function searchAudit({
  ctx,
  filters,
}: {
  ctx: ServiceContext
  filters: AuditFilters
}): Promise<{ items: AuditEntryView[]; total: number; page: number; pageSize: number }> {
  const family = filters.action?.endsWith('.*')
  const complaint = filters.complaintId
  const byId = complaint !== undefined && /^\d+$/.test(complaint)
  const { rows, total } = await searchAuditLog(
    ctx.db,
    {
      username: filters.operator?.toLowerCase(),
      action: family ? undefined : filters.action,
      actionPrefix: family ? filters.action!.slice(0, -1) : undefined,
      complaintId: byId ? complaint : undefined,
      trackingNo: complaint && !byId ? normalizeTrackingNo(complaint) : undefined,
      from: filters.from ? beijingMidnight(filters.from) : undefined,
      until: filters.to ? beijingMidnight(filters.to, 1) : undefined,
    },
    { limit: auditPageSize, offset: (filters.page - 1) * auditPageSize },
  )
  return {
    items: rows.map((r) => ({ ...r, occurredAt: r.occurredAt.toISOString() })),
    total,
    page: filters.page,
    pageSize: auditPageSize,
  }
}

/** 审计日志 from the query as sent (GET /api/admin/audit and the audit page alike). */
export const searchAuditInConsole = consoleVerb({
  access: auditReaders,
  parse: (raw) => parseConsoleInput(auditFiltersSchema, raw, 'query'),
  run: ({ ctx, input }) => searchAudit({ ctx, filters: input }),
})
