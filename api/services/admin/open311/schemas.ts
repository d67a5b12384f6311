import { z } from '@hono/zod-openapi'

/** A registered app as the console lists it; times are ISO 8601. */
export const open311ClientViewSchema = z
  .object({
    id: z.string(),
    /** 应用名称 */
    name: z.string(),
    /** 联系人和联系方式 (personal data: city administrators only). */
    contact: z.string(),
    /** The key's first characters (o311_xxxx), to tell keys apart; never the key. */
    keyPrefix: z.string(),
    createdAt: z.string(),
    createdBy: z.string(),
    /** 注销时间; null while the key works. */
    revokedAt: z.string().nullable(),
    /** Requests filed with it. */
    requests: z.number().int(),
  })
  .openapi('Open311Client')
export type Open311ClientView = z.infer<typeof open311ClientViewSchema>

/** 登记接入应用. */
export const newOpen311ClientSchema = z
  .object({
    /** 应用名称 */
    name: z
      .string('请填写应用名称')
      .trim()
      .min(1, '请填写应用名称，例如“浙里办·丽水计量”')
      .max(100, '应用名称不能超过 100 个字'),
    /** 联系人和联系方式 */
    contact: z
      .string('请填写联系人和联系方式')
      .trim()
      .min(1, '请填写联系人和联系方式，密钥出问题时用来联系对方')
      .max(200, '联系人和联系方式不能超过 200 个字'),
  })
  .openapi('NewOpen311Client')
export type NewOpen311Client = z.infer<typeof newOpen311ClientSchema>

/** The new app, and its key: shown this once, never stored. */
export const createdOpen311ClientSchema = z
  .object({
    client: open311ClientViewSchema,
    apiKey: z.string().openapi({ description: '只显示这一次，请立即交给对方妥善保存' }),
  })
  .openapi('CreatedOpen311Client')

/** An app's id in a console path. */
export const open311ClientParams = z.object({
  id: z
    .string()
    .regex(/^[1-9]\d{0,17}$/, '应用编号应为数字')
    .openapi({ param: { name: 'id', in: 'path' }, example: '3' }),
})
