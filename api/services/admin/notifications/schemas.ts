import { z } from '@hono/zod-openapi'
import { countyNames } from '../../../domain/counties.ts'
import { notificationTransports } from '../../../domain/notifications.ts'

const blankToNull = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? null : v)

/** A recipient as the console lists it; times are ISO 8601. */
export const endpointViewSchema = z
  .object({
    id: z.string(),
    /** 所属区县; null: 全市, told of every county's notices. */
    countyCode: z.string().nullable(),
    countyName: z.string(),
    kind: z.enum(notificationTransports),
    /** The e-mail address or the webhook URL. */
    address: z.string(),
    /** 名称（科室、值班群） */
    label: z.string(),
    enabled: z.boolean(),
    updatedAt: z.string(),
  })
  .openapi('NotificationEndpoint')
export type EndpointView = z.infer<typeof endpointViewSchema>

/** How one transport stands: configured or not, and what waits or failed in the caller's scope. */
export const transportStatusSchema = z
  .object({
    /** A channel to handlers, or `sms`: the text messages to residents (issue 25). */
    transport: z.enum([...notificationTransports, 'sms']),
    /** 邮件 / 群机器人（Webhook） / 居民短信 */
    label: z.string(),
    /** False while its configuration is unset: its notices stay queued. */
    configured: z.boolean(),
    /** 排队中 */
    queued: z.number(),
    /** 已停止重试 */
    dead: z.number(),
    /** A plain sentence for the console when something needs doing; null when all is well. */
    alert: z.string().nullable(),
  })
  .openapi('NotificationTransportStatus')
export type TransportStatus = z.infer<typeof transportStatusSchema>

/** 新增通知接收方. */
export const newEndpointSchema = z
  .object({
    /** 所属区县; empty or null: 全市. */
    countyCode: z.preprocess(
      blankToNull,
      z
        .string()
        .refine((v) => v in countyNames, '请从列表中选择区县，或选择“全市”')
        .nullable(),
    ),
    kind: z.enum(notificationTransports, '请选择通知方式：邮件或群机器人'),
    /** The e-mail address, or the robot's URL. */
    address: z.string().trim().min(3, '请填写接收地址').max(500, '接收地址不能超过 500 个字符'),
    /** 名称 */
    label: z
      .string()
      .trim()
      .min(1, '请填写名称，例如“莲都区值班群”')
      .max(100, '名称不能超过 100 个字'),
  })
  .superRefine((v, ctx) => {
    if (v.kind === 'email' && !z.email().safeParse(v.address).success) {
      ctx.addIssue({ code: 'custom', path: ['address'], message: '请填写有效的邮箱地址' })
    }
    if (v.kind === 'webhook' && !/^https?:\/\/[^\s]+$/.test(v.address)) {
      ctx.addIssue({
        code: 'custom',
        path: ['address'],
        message: '群机器人地址应以 https:// 开头',
      })
    }
  })
  .openapi('NewNotificationEndpoint')
export type NewEndpoint = z.infer<typeof newEndpointSchema>

/** Turn a recipient on or off. */
export const endpointEnabledSchema = z
  .object({
    enabled: z.preprocess((v) => (v === 'true' ? true : v === 'false' ? false : v), z.boolean()),
  })
  .openapi('NotificationEndpointEnabled')

/** A recipient's id in a console path. */
export const endpointParams = z.object({
  id: z
    .string()
    .regex(/^[1-9]\d{0,17}$/, '接收方编号应为数字')
    .openapi({ param: { name: 'id', in: 'path' }, example: '3' }),
})
