import { ApiError } from '../../../api/errors.ts'
import { fieldProblemsOf, type FieldProblem } from '../../../api/validation.ts'

/** What a console form page shows after a POST that did not go through. */
export interface FormOutcome {
  status: number
  problems: FieldProblem[]
  /** A refusal of the whole form (too many failures, a stale page), shown in the summary. */
  notice?: string | undefined
  retryAfterSeconds?: number | undefined
}

/** Reads a posted form; null when the body cannot be read as one. */
export async function readForm(request: Request): Promise<FormData | null> {
  try {
    return await request.formData()
  } catch {
    return null
  }
}

/** What a page says when readForm gave null and its form is to be shown again. */
export const unreadableFormMessage = '提交的内容无法读取，请刷新页面后重试。'

/** Every text field a form posted, as a verb's raw input, without the CSRF token and `omit`. */
export function postedFields(form: FormData, ...omit: string[]): Record<string, string> {
  const fields: Record<string, string> = {}
  for (const [name, value] of form) {
    if (typeof value === 'string' && name !== 'csrf' && !omit.includes(name)) fields[name] = value
  }
  return fields
}

/**
 * The named text fields of a form, as a verb's raw input: a field left out of the form stays
 * out (the verb's schema names it), a file is not text.
 */
export function formFields(form: FormData, names: readonly string[]): Record<string, string> {
  const fields: Record<string, string> = {}
  for (const name of names) {
    const value = form.get(name)
    if (typeof value === 'string') fields[name] = value
  }
  return fields
}

export function textField(form: FormData, name: string, max = 1024): string {
  const value = form.get(name)
  return typeof value === 'string' ? value.slice(0, max) : ''
}

/**
 * A service's refusal as a form outcome: field details go next to their fields (those the form
 * does not have go to `fallbackField`), a rate limit becomes a notice with its wait.
 */
export function outcomeOf(
  error: unknown,
  fields: readonly string[],
  fallbackField: string,
): FormOutcome {
  if (!(error instanceof ApiError)) throw error
  if (error.code === 'RATE_LIMITED') {
    const seconds = (error.details as { retryAfterSeconds?: unknown } | undefined)
      ?.retryAfterSeconds
    return {
      status: 429,
      problems: [],
      notice: error.message,
      retryAfterSeconds: typeof seconds === 'number' ? Math.ceil(seconds) : 60,
    }
  }
  const details = fieldProblemsOf(error)
  const problems = details.length
    ? details.map((d) => ({
        field: fields.includes(d.field) ? d.field : fallbackField,
        message: d.message,
      }))
    : [{ field: fallbackField, message: error.message }]
  return { status: error.status, problems }
}

/** A GET filter form's address: the filters given (blank ones left out) and the page. */
export function filterHref(base: string, values: Partial<Record<string, string>>, page = 1) {
  const params = new URLSearchParams()
  for (const [name, value] of Object.entries(values)) if (value?.trim()) params.set(name, value)
  if (page > 1) params.set('page', String(page))
  const query = params.toString()
  return query ? `${base}?${query}` : base
}
