// Text messages to residents (issue 25): their vocabulary, quiet hours and daily cap. Pure;
// db/schema/ takes the lists from here for the columns that check them.

import { beijingDate, beijingMidnight } from './beijing-time.ts'

/**
 * What a resident is told of: 受理 or 不予受理, the reply published (办结), closure (归档), a
 * reward granted (举报奖励); and the code that recovers a lost query code, sent at their request.
 */
export const smsEvents = [
  'accepted',
  'rejected',
  'replied',
  'closed',
  'reward_granted',
  'recovery_code',
] as const
export type SmsEvent = (typeof smsEvents)[number]

/** 排队中 / 已发出 / 已停止重试 */
export type SmsState = 'pending' | 'sent' | 'dead'

/** Urgent messages are sent in quiet hours too: a recovery code, which the resident waits for. */
export type SmsPriority = 'normal' | 'urgent'

/** The sentence the filing form shows beside the choice (one clear sentence, issue 25). */
export const smsOptInSentence =
  '受理或不予受理、答复公布、办结归档时，我们会发短信到您留的手机号，短信只写受理编号和查询网址，不含查询码；晚 9 点到早 8 点不发送。'

/** A mobile number (spaces and +86 already dropped), the only kind of phone a text reaches. */
export const isMobileNumber = (phone: string | undefined) =>
  phone !== undefined && /^1[3-9]\d{9}$/.test(phone)

/** Quiet hours in Beijing time: from 21:00 to 08:00 no message is sent unless urgent. */
const quietHours = { fromHour: 21, toHour: 8 } as const

/** At most this many messages a day to one phone (a day runs from 08:00 Beijing time). */
export const smsDailyCapPerPhone = 10

const hourMs = 3_600_000

/** The Beijing hour of the day at `at` (0–23). */
const beijingHour = (at: Date) => new Date(at.getTime() + 8 * hourMs).getUTCHours()

/** Whether `at` falls in quiet hours (21:00 up to 08:00 Beijing time). */
export function isQuietHour(at: Date): boolean {
  const h = beijingHour(at)
  return h >= quietHours.fromHour || h < quietHours.toHour
}

/** When the quiet hours `at` falls in end (08:00 Beijing time); `at` itself outside them. */
export function quietHoursEnd(at: Date): Date {
  if (!isQuietHour(at)) return at
  const day = beijingDate(at)
  const eight = new Date(beijingMidnight(day).getTime() + quietHours.toHour * hourMs)
  return at < eight ? eight : new Date(eight.getTime() + 24 * hourMs)
}

/**
 * The phone's sending day `at` falls in, as a window of the daily cap: from 08:00 Beijing time
 * (00:00 UTC), when quiet hours end, to the next 08:00.
 */
export const smsDaySeconds = 24 * 3600
