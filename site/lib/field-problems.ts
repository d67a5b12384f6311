import type { FieldProblem } from '../../api/validation.ts'

/**
 * The messages shown next to one field, each once, in the order the verb reported them: the one
 * helper the public forms and the console's pages share.
 */
export function errorsOf(problems: readonly FieldProblem[], field: string): string[] {
  const messages = problems.filter((p) => p.field === field).map((p) => p.message)
  return [...new Set(messages)]
}
