/**
 * What the web server compresses and how it picks the coding (RFC 9110 §12.5.3): brotli where the
 * client accepts it, else gzip, else the body as it is. Shared by the build step that writes
 * `.br` and `.gz` files beside the static ones and by the layer that compresses on the fly.
 */
export type Coding = 'br' | 'gzip'

/** The file suffix of each coding's precompressed copy. */
export const codingSuffix: Record<Coding, string> = { br: '.br', gzip: '.gz' }

/**
 * Bodies below this are sent as they are: compressing saves less than a packet and costs a
 * stream; a response of unknown length is compressed.
 */
export const compressFromBytes = 1024

/** How much an Accept-Encoding header wants each coding (its q weight, 0 when refused). */
function codingWeights(acceptEncoding: string): (coding: string) => number {
  const weights = new Map<string, number>()
  for (const part of acceptEncoding.split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';')
    const q = params.map((p) => /^\s*q\s*=\s*([\d.]+)\s*$/.exec(p)?.[1]).find(Boolean)
    const weight = q === undefined ? 1 : Number(q)
    if (name && Number.isFinite(weight)) weights.set(name.trim(), weight)
  }
  return (coding) =>
    weights.get(coding) ??
    (coding === 'gzip' ? weights.get('x-gzip') : undefined) ??
    weights.get('*') ??
    0
}

/**
 * The codings an Accept-Encoding header accepts, best first by its weights (brotli wins a tie);
 * empty when it accepts neither.
 */
export function acceptedCodings(acceptEncoding: string | undefined): Coding[] {
  if (!acceptEncoding) return []
  const weightOf = codingWeights(acceptEncoding)
  const br = weightOf('br')
  const gzip = weightOf('gzip')
  const codings: Coding[] = br >= gzip ? ['br', 'gzip'] : ['gzip', 'br']
  return codings.filter((coding) => weightOf(coding) > 0)
}

/**
 * Codings that need a dictionary the client holds (RFC 9842 §5): brotli (`dcb`) and Zstandard
 * (`dcz`) with the dictionary. Only those named: `*` cannot promise the client has one.
 */
export type DictionaryCoding = 'dcb' | 'dcz'

/** The dictionary codings an Accept-Encoding header names, best first (brotli wins a tie). */
export function acceptedDictionaryCodings(acceptEncoding: string | undefined): DictionaryCoding[] {
  if (!acceptEncoding) return []
  const named = new Set(
    acceptEncoding.split(',').map((part) => part.trim().toLowerCase().split(';')[0]?.trim()),
  )
  const weightOf = codingWeights(acceptEncoding)
  const codings: DictionaryCoding[] =
    weightOf('dcb') >= weightOf('dcz') ? ['dcb', 'dcz'] : ['dcz', 'dcb']
  return codings.filter((coding) => named.has(coding) && weightOf(coding) > 0)
}

/** The coding to send for an Accept-Encoding header, if it accepts one. */
export const chooseCoding = (acceptEncoding: string | undefined): Coding | undefined =>
  acceptedCodings(acceptEncoding)[0]

/**
 * Text worth compressing: HTML, CSS, JavaScript, JSON, XML (RSS), SVG, CSV and plain text.
 * Photos (JPEG, PNG, WebP) are compressed already; an event stream must reach the client as it
 * is written, so it is never held in a compressor.
 */
export function isCompressibleType(contentType: string | undefined): boolean {
  if (!contentType) return false
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? ''
  if (type === 'text/event-stream') return false
  return (
    type.startsWith('text/') ||
    /^application\/(json|javascript|ecmascript|xml|x-javascript|manifest\+json)$/.test(type) ||
    /^application\/[\w.-]+\+(json|xml)$/.test(type) ||
    type === 'image/svg+xml'
  )
}

/**
 * Built files whose text is worth a precompressed copy beside them, with the type the static
 * file server (`send`) gives each, so a precompressed answer names the same type.
 */
export const compressibleFileTypes: ReadonlyMap<string, string> = new Map([
  ['.html', 'text/html; charset=utf-8'],
  ['.css', 'text/css; charset=utf-8'],
  ['.js', 'text/javascript; charset=utf-8'],
  ['.mjs', 'text/javascript; charset=utf-8'],
  ['.json', 'application/json; charset=utf-8'],
  ['.xml', 'application/xml'],
  ['.svg', 'image/svg+xml'],
  ['.csv', 'text/csv; charset=utf-8'],
  ['.txt', 'text/plain; charset=utf-8'],
  ['.webmanifest', 'application/manifest+json; charset=utf-8'],
  // The site's compression dictionary (server/site-dictionary.ts): bytes, not a page to show.
  ['.dict', 'application/octet-stream'],
])
