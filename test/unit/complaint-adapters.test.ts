import { readFileSync } from 'node:fs'
import path from 'node:path'
import ts from 'typescript'
import { describe, expect, it } from 'vitest'

/**
 * The complaint form has one reader (api/services/complaints/submit.ts): the page adapter and the
 * API route only translate HTTP (issue 21). Were either to read the form, apply the body limit or
 * word a refusal itself, the two entry points could drift apart again; this scan says so.
 */
const adapters = ['site/lib/complaint-submit.ts', 'api/routes/complaints/create.ts']

/** What only the service may call: reading the form, typing its fields, the body limit. */
const readerParts = new Set(['readComplaintForm', 'formFieldsToInput', 'bodyLimitFor'])

const chinese = /[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]/

/** OpenAPI text describes the route; it is not a message anyone is refused with. */
const documentationKeys = new Set(['summary', 'description'])

function isDocumentation(node: ts.Node): boolean {
  // A literal, or a part of the `+` concatenation that makes up the property's value.
  let value = node
  while (ts.isBinaryExpression(value.parent) || ts.isParenthesizedExpression(value.parent)) {
    value = value.parent
  }
  const parent = value.parent
  return (
    ts.isPropertyAssignment(parent) &&
    parent.initializer === value &&
    documentationKeys.has(parent.name.getText())
  )
}

/** Every Chinese string literal outside OpenAPI text, and every use of the reader's parts. */
function adapterFindings(fileName: string, source: string): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true)
  const found: string[] = []
  const where = (node: ts.Node) => {
    const { line } = file.getLineAndCharacterOfPosition(node.getStart(file))
    return `${fileName}:${line + 1}`
  }
  const visit = (node: ts.Node) => {
    const literal =
      ts.isStringLiteral(node) ||
      ts.isNoSubstitutionTemplateLiteral(node) ||
      ts.isTemplateExpression(node)
    if (literal && chinese.test(node.getText(file)) && !isDocumentation(node)) {
      found.push(`${where(node)} Chinese text ${node.getText(file)}`)
    }
    if (ts.isIdentifier(node) && readerParts.has(node.text)) {
      found.push(`${where(node)} uses ${node.text}`)
    }
    ts.forEachChild(node, visit)
  }
  visit(file)
  return found
}

describe('the complaint adapters', () => {
  for (const adapter of adapters) {
    it(`${adapter} neither reads the form nor words a refusal`, () => {
      const source = readFileSync(path.join(import.meta.dirname, '../..', adapter), 'utf8')
      expect(adapterFindings(adapter, source)).toEqual([])
    })
  }

  it('the scan finds a message written in an adapter and a form read there', () => {
    const fixture = [
      "import { readComplaintForm } from './form.ts'",
      'export async function handle(request: Request) {',
      '  const form = await readComplaintForm(await request.formData())',
      "  if (!form.token) throw new ApiError('BAD_REQUEST', `表单有误：${form.fields.kind}`)",
      "  const limit = bodyLimitFor(config, '/complaints/submit')",
      "  return { summary: '提交投诉', notice: '请重新提交。' }",
      '}',
    ].join('\n')
    expect(adapterFindings('fixture.ts', fixture)).toEqual([
      'fixture.ts:1 uses readComplaintForm',
      'fixture.ts:3 uses readComplaintForm',
      'fixture.ts:4 Chinese text `表单有误：${form.fields.kind}`',
      'fixture.ts:5 uses bodyLimitFor',
      "fixture.ts:6 Chinese text '请重新提交。'",
    ])
  })
})
