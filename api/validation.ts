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

/** Field-by-field details, with the path joined as it appears in the request. */
export function issueDetails(error: z.ZodError) {
  return error.issues.map((issue) => ({
    field: issue.path.join('.'),
    message: issue.message,
  }))
}

/** A failed parse of one part of a request (`json`, `query`, ...) as the one error, status 400. */
export function validationFailed(error: z.ZodError, target: string): ApiError {
  const details = issueDetails(error)
  const fields = details.map((d) => d.field || '(整体)').join('、')
  return new ApiError(
    'VALIDATION_FAILED',
    `${where[target] ?? '请求'}有误：${fields}。请按提示修改后重试。`,
    details,
  )
}

/** The zod hook every route shares: a failed parse becomes the one error shape, status 400. */
export const validationHook: Hook<unknown, AppEnv, string, unknown> = (result) => {
  if (result.success) return
  throw validationFailed(result.error, result.target)
}
