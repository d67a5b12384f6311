import { z } from 'zod'

/** Categories of a notice (公告), as the bureau publishes them. */
const noticeCategories = ['公告', '专项检查结果', '撤销名单', '活动', '办事指南'] as const

/** Front matter of a Markdown notice under content/notices/. */
export const noticeSchema = z.object({
  /** Headline, as on the bureau's notice board. */
  title: z.string().min(4).max(80),
  /** Publication day. */
  date: z.coerce.date(),
  category: z.enum(noticeCategories),
  /** One or two sentences shown in lists, search results and the RSS feed. */
  summary: z.string().min(10).max(200),
})
