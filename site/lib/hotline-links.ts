/**
 * Notices name the 12345 hotline in their Markdown; on a phone that number must be one tap away.
 * The notice's rendered HTML (trusted content from the repository) gets each standalone "12345"
 * in its text turned into a `tel:12345` link; numbers inside links, code and longer digit runs
 * (a ticket number, say) stay as they are.
 */
const hotline = /(?<![\d\w-])12345(?![\d\w-])/g
const skipped = new Set(['a', 'code', 'pre', 'script', 'style'])

export function linkHotline(html: string): string {
  let inside = 0
  return html
    .split(/(<[^>]*>)/)
    .map((part) => {
      const tag = /^<(\/?)([a-zA-Z][\w-]*)/.exec(part)
      if (tag) {
        if (skipped.has(tag[2]!.toLowerCase())) inside += tag[1] ? -1 : 1
        return part
      }
      return inside > 0 ? part : part.replace(hotline, '<a class="tel" href="tel:12345">12345</a>')
    })
    .join('')
}
