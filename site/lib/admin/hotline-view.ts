import type { HotlineCallbackView } from '../../../api/services/admin/cases/schemas.ts'
import { shanghaiDateTime } from '../complaint-track.ts'

/** One line on where a callback's delivery stands. */
export function callbackStatusText(c: HotlineCallbackView, urlConfigured: boolean): string {
  if (c.state === 'delivered')
    return c.deliveredAt ? `于 ${shanghaiDateTime(c.deliveredAt)} 送达` : ''
  if (c.state === 'dead')
    return '已重试 10 次仍未送达，等待市局管理员重试；同一工单之后的反馈在它之后发送'
  if (!urlConfigured) return '未配置回调地址，暂不发送'
  return c.nextAttemptAt ? `下次发送：${shanghaiDateTime(c.nextAttemptAt)}` : ''
}
