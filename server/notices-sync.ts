import path from 'node:path'
import type { Deps } from '../api/deps.ts'
import { readNotices, replaceNotices } from '../api/search/notices.ts'

const noticesDir = path.resolve(import.meta.dirname, '../content/notices')

/** Notices are files, not rows: at start the public index is made to match content/notices. */
export async function syncNotices(deps: Pick<Deps, 'search' | 'logger'>) {
  try {
    await replaceNotices(deps.search, await readNotices(noticesDir))
  } catch (error) {
    deps.logger.warn({ err: String(error) }, 'notices were not indexed; `npm run reindex` retries')
  }
}
