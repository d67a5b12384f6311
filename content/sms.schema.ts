import { z } from 'zod'
import { smsEvents } from '../api/domain/sms.ts'

/**
 * The parameters each template may use: `${trackingNo}` (every one must name it), `${link}` (the
 * tracking page) and, in the recovery message only, `${code}` (which it must name).
 */
const paramsOf = (event: (typeof smsEvents)[number]) =>
  event === 'recovery_code' ? ['trackingNo', 'code'] : ['trackingNo', 'link']

/** `${name}` as Alibaba Cloud SMS writes a template's variables. */
const placeholder = /\$\{([^}]*)\}/g

const templateSchema = (event: (typeof smsEvents)[number]) =>
  z
    .object({
      /**
       * The template's code at Alibaba Cloud SMS (SMS_ and digits), registered there with the
       * same text; the province's gateway sends the text itself.
       */
      aliyunTemplateCode: z.string().regex(/^SMS_\d{1,20}$/, 'should be SMS_ and digits'),
      /** The text, 10 to 200 characters, naming the tracking number. */
      text: z.string().trim().min(10).max(200),
    })
    .superRefine((t, ctx) => {
      const allowed = paramsOf(event)
      const names = [...t.text.matchAll(placeholder)].map((m) => m[1] ?? '')
      for (const name of names) {
        if (!allowed.includes(name)) {
          ctx.addIssue({
            code: 'custom',
            path: ['text'],
            message: `\${${name}} is not a parameter; use ${allowed.map((a) => `\${${a}}`).join(' and ')} only`,
          })
        }
      }
      for (const required of event === 'recovery_code' ? ['trackingNo', 'code'] : ['trackingNo']) {
        if (!names.includes(required)) {
          ctx.addIssue({ code: 'custom', path: ['text'], message: `must name \${${required}}` })
        }
      }
    })

/** content/sms/templates.yaml: the messages residents receive, as the bureau words them. */
export const smsTemplatesSchema = z.object({
  /** 短信签名, registered with the provider, e.g. 丽水市场监管. */
  signName: z.string().trim().min(2).max(20),
  templates: z.object(
    Object.fromEntries(smsEvents.map((e) => [e, templateSchema(e)])) as Record<
      (typeof smsEvents)[number],
      ReturnType<typeof templateSchema>
    >,
  ),
})

export type SmsTemplates = z.infer<typeof smsTemplatesSchema>
