/**
 * A small XML writer for the GeoReport v2 answers: elements only (the specification uses no
 * attributes), text escaped, and characters XML 1.0 cannot carry at all (most C0 controls, lone
 * surrogates, U+FFFE/FFFF) dropped, since no escape makes them well-formed.
 */

/** Each list's element name, and the name of the elements it repeats (GeoReport v2). */
const itemNames: Readonly<Record<string, string>> = {
  services: 'service',
  service_requests: 'request',
  errors: 'error',
  attributes: 'attribute',
  values: 'value',
  endpoints: 'endpoint',
  formats: 'format',
}

const notXmlChar = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu

export function escapeXml(text: string): string {
  return text
    .replace(notXmlChar, '')
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&apos;')
}

function element(name: string, value: unknown): string {
  if (value === undefined) return ''
  if (value === null) return `<${name}/>`
  if (Array.isArray(value)) {
    const item = itemNames[name]
    if (!item) throw new Error(`no item element named for the list ${name}`)
    return `<${name}>${value.map((v) => element(item, v)).join('')}</${name}>`
  }
  if (typeof value === 'object') {
    const children = Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => element(k, v))
      .join('')
    return `<${name}>${children}</${name}>`
  }
  if (typeof value === 'string') return `<${name}>${escapeXml(value)}</${name}>`
  if (typeof value === 'number' || typeof value === 'boolean') {
    return `<${name}>${String(value)}</${name}>`
  }
  throw new Error(`cannot write ${typeof value} as XML`)
}

/** A document with one root element: `toXml('services', [...])`. */
export function toXml(root: string, value: unknown): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n${element(root, value)}`
}
