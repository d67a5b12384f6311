import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { parse } from 'yaml'
import { noticeSchema } from '../../content/notices.schema.ts'
import { assertSucceeded, type SearchClient } from './client.ts'
import type { NoticeDocument } from './notice-documents.ts'

/** Reads every Markdown notice in `dir` and checks its front matter against the shared schema. */
export async function readNotices(dir: string): Promise<NoticeDocument[]> {
  const names = (await readdir(dir)).filter((n) => n.endsWith('.md')).sort()
  const notices: NoticeDocument[] = []
  for (const name of names) {
    const text = await readFile(path.join(dir, name), 'utf8')
    const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text)
    if (!match) throw new Error(`${name}: 缺少 front matter（文件开头的 --- 区块）`)
    const frontMatter: unknown = parse(match[1] ?? '')
    const parsed = noticeSchema.safeParse(frontMatter)
    if (!parsed.success) {
      throw new Error(
        `${name}: ${parsed.error.issues.map((i) => `${i.path.join('.')} ${i.message}`).join('; ')}`,
      )
    }
    const slug = name.replace(/\.md$/, '')
    notices.push({
      id: slug,
      slug,
      title: parsed.data.title,
      date: parsed.data.date.toISOString().slice(0, 10),
      category: parsed.data.category,
      summary: parsed.data.summary,
      body: (match[2] ?? '')
        .replace(/[#>*_`[\]()-]/g, ' ')
        .replace(/\s+/g, ' ')
        .trim(),
    })
  }
  return notices
}

/** Makes the notices index hold exactly these notices, waiting for Meilisearch's verdict. */
export async function replaceNotices(
  search: SearchClient,
  notices: NoticeDocument[],
  uid?: string,
) {
  const index = search.meili.index<NoticeDocument>(uid ?? search.indexName('notices'))
  if (notices.length > 0) assertSucceeded(await index.addDocuments(notices).waitTask())
  const keep = new Set(notices.map((n) => n.id))
  const { results } = await index.getDocuments<{ id: string }>({ fields: ['id'], limit: 10_000 })
  const stale = results.map((d) => d.id).filter((id) => !keep.has(id))
  if (stale.length > 0) assertSucceeded(await index.deleteDocuments(stale).waitTask())
}
