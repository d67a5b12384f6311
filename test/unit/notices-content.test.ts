import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { readNotices } from '../../api/search/notices.ts'

const dir = path.resolve(import.meta.dirname, '../../content/notices')

describe('notices under content/notices', () => {
  it('all have front matter the schema accepts', async () => {
    const notices = await readNotices(dir)
    expect(notices.length).toBeGreaterThanOrEqual(4)
    expect(new Set(notices.map((n) => n.slug)).size).toBe(notices.length)
  })

  // Aligned Markdown table columns (`---:`) are rendered with inline style attributes, which the
  // pages' Content-Security-Policy (style-src 'self') blocks. Authors must leave columns unaligned.
  it('use no column alignment in tables', async () => {
    for (const name of await readdir(dir)) {
      const text = await readFile(path.join(dir, name), 'utf8')
      const aligned = text.split('\n').filter((l) => /^\|[\s|:-]*:[\s|:-]*\|$/.test(l.trim()))
      expect(aligned, `${name}: 表格不要使用 :--- / ---: 对齐标记`).toEqual([])
    }
  })
})
