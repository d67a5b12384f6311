import { z } from 'zod'
import type { HandlerNotice } from './notice.ts'

/**
 * A notice as its delivery row keeps it. Parsing picks out the fields the transports send, in a
 * fixed order, so nothing a caller slipped into the payload beside them goes out.
 */
export const storedNoticeSchema = z.object({
  key: z.string().min(1).max(200),
  countyCode: z.string().nullable(),
  type: z.string().min(1).max(100),
  title: z.string().min(1).max(200),
  text: z.string().min(1).max(4000),
  data: z.record(z.string(), z.unknown()),
}) satisfies z.ZodType<HandlerNotice>

export type StoredNotice = z.infer<typeof storedNoticeSchema>

/**
 * The webhook body: the Standard Webhooks payload (`type`, `timestamp`, `data`) with `msgtype`
 * and `text.content` beside it, the shape a DingTalk-style robot takes, so a relay in front of
 * 浙政钉 or a chat group can pass it on unchanged.
 */
export function webhookBody(notice: StoredNotice, createdAt: Date): string {
  return JSON.stringify({
    type: notice.type,
    timestamp: createdAt.toISOString(),
    data: notice.data,
    msgtype: 'text',
    text: { content: `${notice.title}\n${notice.text}` },
  })
}
