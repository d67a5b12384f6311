// The notification channel's vocabulary (issue 24) and its Chinese labels; db/schema/ takes the
// lists from here for the columns that check them.

export const notificationTransports = ['email', 'webhook'] as const
/** 邮件 / 网络钩子（浙政钉或企业群机器人） */
export type NotificationTransport = (typeof notificationTransports)[number]

export const notificationTransportLabels: Record<NotificationTransport, string> = {
  email: '邮件',
  webhook: '群机器人（Webhook）',
}

/** 排队中 / 已送达 / 已停止重试 */
export type NotificationDeliveryState = 'pending' | 'delivered' | 'dead'
