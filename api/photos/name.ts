const maxLength = 100

// Control characters, and format characters such as U+202E RIGHT-TO-LEFT OVERRIDE, which would
// let "gpj.exe" display as "exe.jpg".
const invisible = /[\p{Cc}\p{Cf}]/gu

/**
 * A file name fit to show back to people: the last path segment (browsers on Windows used to
 * send "C:\fakepath\x.jpg"), NFC, no control or format characters, trimmed, at most 100
 * characters (code points, so no emoji is cut in half), keeping a short extension when cut.
 */
export function displayName(name: string): string {
  const base = name.split(/[/\\]/).at(-1) ?? ''
  const clean = base.normalize('NFC').replace(invisible, '').trim()
  const chars = Array.from(clean)
  if (chars.length <= maxLength) return clean
  const dot = clean.lastIndexOf('.')
  const extension = dot > 0 && clean.length - dot <= 10 ? clean.slice(dot) : ''
  return (
    chars
      .slice(0, maxLength - extension.length)
      .join('')
      .trimEnd() + extension
  )
}
