import { readFileSync } from 'node:fs'
import path from 'node:path'
import { parse } from 'yaml'
import { smsTemplatesSchema, type SmsTemplates } from '../../../content/sms.schema.ts'
import type { SmsEvent } from '../../domain/sms.ts'

const defaultFile = path.resolve(import.meta.dirname, '../../../content/sms/templates.yaml')

export type { SmsTemplates }

/**
 * The bureau's SMS templates (content/sms/templates.yaml), read once per process with its
 * dependencies (api/wiring) as the holiday calendar is; a file that does not match the schema
 * stops the start with every problem named.
 */
export function loadSmsTemplates(file = defaultFile): SmsTemplates {
  const parsed = smsTemplatesSchema.safeParse(parse(readFileSync(file, 'utf8')))
  if (parsed.success) return parsed.data
  const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`)
  throw new Error(`${path.basename(file)}: ${problems.join('; ')}`)
}

/** A message for `event`: the template's code, its parameters and the text they make. */
export function renderSms(
  templates: SmsTemplates,
  event: SmsEvent,
  params: Record<string, string>,
) {
  const template = templates.templates[event]
  const body = template.text.replace(/\$\{(\w+)\}/g, (_, name: string) => params[name] ?? '')
  return { templateCode: template.aliyunTemplateCode, params, body }
}
