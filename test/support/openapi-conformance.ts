import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import type { Middleware } from 'openapi-fetch'

interface Schema {
  [keyword: string]: unknown
}
interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: Schema }> }>
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>
  components?: { schemas?: Record<string, Schema> }
}

/** Keywords whose values are data, not schemas. */
const dataKeywords = new Set(['example', 'examples', 'enum', 'const', 'default', 'required'])

/**
 * The schema as a closed one: an object schema admits no property it does not describe, so a
 * field a route answers but the document leaves out fails as surely as a missing or mistyped one.
 * `unevaluatedProperties` (not `additionalProperties`) sees through `$ref` and `allOf`, so it goes
 * where a schema is used (`open` is false), never on a part of an `allOf` nor on a component.
 */
function closed(schema: unknown, open = false): unknown {
  if (Array.isArray(schema)) return schema.map((s) => closed(s))
  if (!schema || typeof schema !== 'object') return schema
  const out: Schema = {}
  for (const [key, value] of Object.entries(schema)) {
    out[key] = dataKeywords.has(key)
      ? value
      : key === 'properties'
        ? Object.fromEntries(
            Object.entries(value as Schema).map(([name, property]) => [name, closed(property)]),
          )
        : key === 'allOf'
          ? (value as unknown[]).map((part) => closed(part, true))
          : closed(value)
  }
  const isObject = 'properties' in out || '$ref' in out || 'allOf' in out
  if (!open && isObject && out.additionalProperties === undefined) {
    out.unevaluatedProperties = false
  }
  return out
}

/** The components, each left open: the places that use one close it. */
function openComponents(document: OpenApiDocument) {
  const schemas = document.components?.schemas ?? {}
  return {
    schemas: Object.fromEntries(
      Object.entries(schemas).map(([name, schema]) => [name, closed(schema, true)]),
    ),
  }
}

/**
 * Checks answers against the OpenAPI document: openapi-fetch middleware that fails a call whose
 * status the operation does not list, or whose JSON body does not match the documented schema.
 */
export function conformanceMiddleware(document: OpenApiDocument): Middleware {
  const ajv = new Ajv2020({ strict: false, allErrors: true })
  addFormats(ajv)
  const components = openComponents(document)
  const validators = new Map<string, ValidateFunction>()
  const validatorFor = (key: string, schema: Schema) => {
    let validate = validators.get(key)
    if (!validate) {
      // The components go along so that `#/components/schemas/…` references resolve.
      validate = ajv.compile({ ...(closed(schema) as Schema), components })
      validators.set(key, validate)
    }
    return validate
  }

  return {
    async onResponse({ request, response, schemaPath }) {
      const method = request.method.toLowerCase()
      const operation = document.paths[schemaPath]?.[method]
      const where = `${request.method} ${schemaPath} → ${response.status}`
      if (!operation) throw new Error(`${where}: the document has no such operation`)
      const documented = operation.responses[String(response.status)]
      if (!documented) throw new Error(`${where}: the document does not list this status`)
      const type = response.headers.get('content-type')?.split(';')[0]?.trim() ?? ''
      if (type !== 'application/json') return undefined
      const schema = documented.content?.['application/json']?.schema
      if (!schema) throw new Error(`${where}: the document describes no JSON body`)
      const validate = validatorFor(`${method} ${schemaPath} ${response.status}`, schema)
      const body: unknown = await response.clone().json()
      if (!validate(body)) {
        const problems = (validate.errors ?? []).map((e) => {
          const extra = (e.params as { unevaluatedProperty?: string }).unevaluatedProperty
          return `${e.instancePath || '/'} ${extra ? `has \`${extra}\`, which it does not describe` : (e.message ?? '')}`
        })
        throw new Error(
          `${where}: the answer does not match the document: ${[...new Set(problems)].join('; ')}`,
        )
      }
      return undefined
    },
  }
}
