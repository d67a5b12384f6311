import type { Hook } from '@hono/zod-openapi'
import type { z } from 'zod'
import type { AppEnv } from './env.ts'
import { ApiError } from './errors.ts'

const where: Record<string, string> = {
  query: '查询参数',
  param: '路径参数',
  json: '请求内容',
  form: '表单',
  header: '请求头',
}

/** One field's problem, as an error's details list it and a form shows it next to the field. */
export interface FieldProblem {
  field: string
  message: string
}

/** The field problems an error's details carry (none when it carries something else). */
export function fieldProblemsOf(error: ApiError): FieldProblem[] {
  const details: unknown = error.details
  if (!Array.isArray(details)) return []
  return details.filter(
    (d): d is FieldProblem =>
      typeof d === 'object' &&
      d !== null &&
      typeof (d as FieldProblem).field === 'string' &&
      typeof (d as FieldProblem).message === 'string',
  )
}

/**
 * A form's refusal as a page words it: a schema's refusal counts the places to change and says
 * each once; a verb's own rule is told in its own words.
 */
export function formRefusalMessage(error: ApiError): string {
  if (!(error instanceof InputRefusal)) return error.message
  const messages = [...new Set(error.details.map((d) => d.message))]
  return `有 ${messages.length} 处需要修改：${messages.join(' ')}`
}

/** Field-by-field details, with the path joined as it appears in the request. */
export function issueDetails(error: z.ZodError) {
  return error.issues.map((issue) => ({
    field: issue.path.join('.'),
    message: issue.message,
  }))
}

/**
 * A part of a request that did not parse against its schema: the one validation error, which a
 * page can tell from a verb's own field rule (it words the schema's refusal in its own way).
 */
export class InputRefusal extends ApiError {
  constructor(
    /** The part of the request: `json`, `query`, `param`, `form`. */
    readonly target: string,
    message: string,
    override readonly details: FieldProblem[],
  ) {
    super('VALIDATION_FAILED', message, details)
  }
}

/** A failed parse of one part of a request (`json`, `query`, ...) as the one error, status 400. */
export function validationFailed(error: z.ZodError, target: string): InputRefusal {
  const details = issueDetails(error)
  const fields = details.map((d) => d.field || '(整体)').join('、')
  return new InputRefusal(
    target,
    `${where[target] ?? '请求'}有误：${fields}。请按提示修改后重试。`,
    details,
  )
}

/** The zod hook every route shares: a failed parse becomes the one error shape, status 400. */
export const validationHook: Hook<unknown, AppEnv, string, unknown> = (result) => {
  if (result.success) return
  throw validationFailed(result.error, result.target)
}
