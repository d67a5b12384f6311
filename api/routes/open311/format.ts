import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type { AppEnv } from '../../env.ts'
import { ApiError } from '../../errors.ts'
import { fieldProblemsOf } from '../../validation.ts'
import type { Open311Format } from '../../domain/open311.ts'
import { toXml } from './xml.ts'

/** The format a path asks for by its suffix; JSON when it names none it knows. */
const formatOfPath = (path: string): Open311Format => (path.endsWith('.xml') ? 'xml' : 'json')

/** An answer in the format asked for: a JSON value, or XML under the specification's root. */
export function open311Answer(
  c: Context<AppEnv>,
  format: Open311Format,
  root: string,
  value: unknown,
  status: ContentfulStatusCode = 200,
): Response {
  if (format === 'json') return c.json(value, status)
  return c.body(toXml(root, value), status, { 'content-type': 'text/xml; charset=utf-8' })
}

/** One GeoReport v2 error: the HTTP status as `code`, and what to fix. */
interface Open311Error {
  code: number
  description: string
}

/** The specification's error list for a refusal: one error per field it names. */
function open311Errors(error: ApiError, status: number): Open311Error[] {
  const problems = fieldProblemsOf(error)
  if (problems.length === 0) return [{ code: status, description: error.message }]
  return problems.map((p) => ({ code: status, description: `${p.field}：${p.message}` }))
}

/** A refusal as the specification answers it, in the format the path asks for. */
export function open311ErrorAnswer(
  c: Context<AppEnv>,
  error: ApiError,
  status: ContentfulStatusCode,
): Response {
  return open311Answer(c, formatOfPath(c.req.path), 'errors', open311Errors(error, status), status)
}
