import { defineCollection } from 'astro:content'
import { glob } from 'astro/loaders'
import { noticeSchema } from '../content/notices.schema.ts'
import { commitmentTextSchema } from '../content/commitments.schema.ts'

/**
 * Notices (公告) are Markdown files under content/notices/. The one front-matter schema is shared
 * with the search indexer (api/search/notices.ts), and an entry's id is its file name, which is
 * also the slug the search index links to.
 */
const notices = defineCollection({
  loader: glob({
    pattern: '*.md',
    base: './content/notices',
    generateId: ({ entry }) => entry.replace(/\.md$/, ''),
  }),
  schema: noticeSchema,
})

/**
 * The commitment texts (承诺书) businesses sign, one Markdown file per version under
 * content/commitments/; the console and the import accept only a version found there.
 */
const commitments = defineCollection({
  loader: glob({
    pattern: '*.md',
    base: './content/commitments',
    generateId: ({ entry }) => entry.replace(/\.md$/, ''),
  }),
  schema: commitmentTextSchema,
})

export const collections = { notices, commitments }
