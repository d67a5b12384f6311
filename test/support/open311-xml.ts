import { XMLParser, XMLValidator } from 'fast-xml-parser'

/**
 * GeoReport v2's element names (http://wiki.open311.org/GeoReport_v2), by the element that holds
 * them: an answer that uses any other name, or nests one elsewhere, does not match it.
 */
const open311Elements: Record<string, readonly string[]> = {
  '': ['discovery', 'services', 'service_definition', 'service_requests', 'errors'],
  discovery: ['changeset', 'contact', 'key_service', 'endpoints'],
  endpoints: ['endpoint'],
  endpoint: ['specification', 'url', 'changeset', 'type', 'formats'],
  formats: ['format'],
  services: ['service'],
  service: ['service_code', 'service_name', 'description', 'metadata', 'type', 'keywords', 'group'],
  service_definition: ['service_code', 'attributes'],
  attributes: ['attribute'],
  attribute: [
    'variable',
    'code',
    'datatype',
    'required',
    'datatype_description',
    'order',
    'description',
    'values',
  ],
  values: ['value'],
  value: ['key', 'name'],
  service_requests: ['request'],
  request: [
    'service_request_id',
    'token',
    'status',
    'status_notes',
    'service_name',
    'service_code',
    'description',
    'agency_responsible',
    'service_notice',
    'requested_datetime',
    'updated_datetime',
    'expected_datetime',
    'address',
    'address_id',
    'zipcode',
    'lat',
    'long',
    'media_url',
    'account_id',
  ],
  errors: ['error'],
  error: ['code', 'description'],
}

const lists = new Set(['endpoint', 'format', 'service', 'attribute', 'value', 'request', 'error'])

/**
 * Parses an answer with a standard XML parser (fast-xml-parser), after checking it is
 * well-formed; lists come back as arrays, text as strings.
 */
export function parseOpen311Xml(xml: string): Record<string, unknown> {
  // Deprecated upstream in favour of fast-xml-validator, the same project's validator split into
  // a package of its own; kept while the installed parser ships it, so that no second XML
  // package is added for a test. A removal fails type checking at the upgrade.
  // eslint-disable-next-line @typescript-eslint/no-deprecated
  const valid = XMLValidator.validate(xml)
  if (valid !== true) throw new Error(`not well-formed XML: ${JSON.stringify(valid.err)}`)
  const parser = new XMLParser({
    ignoreDeclaration: true,
    parseTagValue: false,
    trimValues: false,
    isArray: (name) => lists.has(name),
  })
  return parser.parse(xml) as Record<string, unknown>
}

/** Every element name, with its parent's name, that GeoReport v2 does not define there. */
export function unknownElements(parsed: unknown, parent = ''): string[] {
  if (typeof parsed !== 'object' || parsed === null) return []
  if (Array.isArray(parsed)) return parsed.flatMap((item) => unknownElements(item, parent))
  return Object.entries(parsed).flatMap(([name, value]) => [
    ...((open311Elements[parent] ?? []).includes(name) ? [] : [`${parent}>${name}`]),
    ...unknownElements(value, name),
  ])
}
