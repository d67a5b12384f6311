import { getCollection, type CollectionEntry } from 'astro:content'

export type Notice = CollectionEntry<'notices'>

/** Every notice, newest first. */
export async function noticesNewestFirst(): Promise<Notice[]> {
  const all = await getCollection('notices')
  return all.sort(
    (a, b) => b.data.date.getTime() - a.data.date.getTime() || a.id.localeCompare(b.id),
  )
}

export const noticeUrl = (id: string) => `/notices/${id}/`
