/** What the public `notices` index holds for one notice (公告). */
export interface NoticeDocument {
  id: string
  slug: string
  title: string
  date: string
  category: string
  summary: string
  body: string
}
