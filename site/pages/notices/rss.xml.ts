import rss from '@astrojs/rss'
import type { APIRoute } from 'astro'
import { noticesNewestFirst, noticeUrl } from '../../lib/notices.ts'
import { serviceContext } from '../../lib/services.ts'

/** The notices as an RSS 2.0 feed, with absolute links from astro `site` or SITE_URL. */
export const GET: APIRoute = async (context) => {
  const notices = await noticesNewestFirst()
  return rss({
    title: '丽水诚信计量 · 公告',
    description: '丽水市市场监督管理局发布的诚信计量公告、专项检查结果与办事指南',
    site: context.site ?? serviceContext().config.SITE_URL,
    items: notices.map((n) => ({
      title: n.data.title,
      pubDate: n.data.date,
      description: n.data.summary,
      categories: [n.data.category],
      link: noticeUrl(n.id),
    })),
    customData: '<language>zh-cn</language>',
  })
}
