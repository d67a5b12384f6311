import {
  countDeliveries,
  giveUpPendingOf,
  insertEndpoint,
  listEndpoints,
  setEndpointEnabled,
  type EndpointRow,
} from '../../../../db/queries/notifications.ts'
import type { ServiceContext } from '../../../deps.ts'
import { countyNames } from '../../../domain/counties.ts'
import {
  notificationTransportLabels,
  notificationTransports,
} from '../../../domain/notifications.ts'
import { ApiError } from '../../../errors.ts'
import { caseCountyScope, type SignedInOperator } from '../access.ts'
import { recordAudit } from '../audit.ts'
import { fieldRefusal } from '../penalties/checks.ts'
import { configuredTransports } from '../../notifications/transports.ts'
import { isLoopbackHost } from '../../../domain/loopback.ts'
import { countSms } from '../../../../db/queries/sms.ts'
import { configuredSmsTransport } from '../../sms/transports.ts'
import type { EndpointView, NewEndpoint, TransportStatus } from './schemas.ts'

export const endpointNotFoundMessage = '没有找到这个通知接收方。'

function endpointView(row: EndpointRow): EndpointView {
  return {
    id: row.id,
    countyCode: row.countyCode,
    countyName: row.countyCode === null ? '全市' : (countyNames[row.countyCode] ?? row.countyCode),
    kind: row.kind,
    address: row.address,
    label: row.label,
    enabled: row.enabled,
    updatedAt: row.updatedAt.toISOString(),
  }
}

const channelNames: Record<TransportStatus['transport'], string> = {
  email: '邮件通知',
  webhook: '群机器人通知',
  sms: '居民短信',
}

/** What a transport's state asks of the bureau, in a sentence; null when nothing. */
function alertOf(
  transport: TransportStatus['transport'],
  configured: boolean,
  queued: number,
  dead: number,
): string | null {
  const name = channelNames[transport]
  const what = transport === 'sms' ? '短信' : '通知'
  if (!configured) {
    return queued > 0
      ? `${name}未配置：${queued} 条${what}正在排队，配置后自动发出。`
      : `${name}未配置：有${what}时会先排队，配置后自动发出。`
  }
  if (dead > 0) {
    return transport === 'sms'
      ? `${name}有 ${dead} 条未能发出、已停止重试（号码有误或已删除，或短信服务长时间不可用）。`
      : `${name}有 ${dead} 条多次发送失败、已停止重试，请核对接收地址。`
  }
  return null
}

/**
 * How each transport stands for the operator's scope (a county: its own recipients and the
 * city's): whether it is configured, and how many notices wait or were given up; last, the text
 * messages to the residents of the scope's cases (issue 25).
 */
export async function notificationStatus({
  ctx,
  operator,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
}): Promise<TransportStatus[]> {
  const scope = { countyCode: caseCountyScope(operator) }
  const [counts, sms] = await Promise.all([countDeliveries(ctx.db, scope), countSms(ctx.db, scope)])
  const configured = configuredTransports(ctx.config)
  const smsConfigured = configuredSmsTransport(ctx.config) !== null
  const residents: TransportStatus = {
    transport: 'sms',
    label: '居民短信',
    configured: smsConfigured,
    queued: sms.queued,
    dead: sms.dead,
    alert: alertOf('sms', smsConfigured, sms.queued, sms.dead),
  }
  const handlers = notificationTransports.map((transport): TransportStatus => {
    const count = (state: string) =>
      counts.find((c) => c.transport === transport && c.state === state)?.count ?? 0
    const isConfigured = configured.includes(transport)
    const queued = count('pending')
    const dead = count('dead')
    return {
      transport,
      label: notificationTransportLabels[transport],
      configured: isConfigured,
      queued,
      dead,
      alert: alertOf(transport, isConfigured, queued, dead),
    }
  })
  return [...handlers, residents]
}

/** The recipients in the operator's scope: a county's own and the city's. */
export async function listNotificationEndpoints({
  ctx,
  operator,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
}): Promise<EndpointView[]> {
  const rows = await listEndpoints(ctx.db, { countyCode: caseCountyScope(operator) })
  return rows.map(endpointView)
}

/**
 * A webhook leaves the bureau signed but readable: in production it must go over HTTPS, unless
 * it stays on this machine (a relay in front of the robot).
 */
function checkWebhookAddress(ctx: ServiceContext, address: string) {
  let url: URL
  try {
    url = new URL(address)
  } catch {
    throw fieldRefusal('address', '群机器人地址不是有效的网址。')
  }
  if (
    ctx.config.NODE_ENV === 'production' &&
    url.protocol !== 'https:' &&
    !isLoopbackHost(url.hostname)
  ) {
    throw fieldRefusal('address', '群机器人地址必须以 https:// 开头（本机中转地址除外）。')
  }
}

/** Adds a recipient (city_admin; audited with the change). */
export async function createNotificationEndpoint({
  ctx,
  operator,
  input,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: { fields: NewEndpoint; clientAddress: string }
}): Promise<EndpointView> {
  const { fields } = input
  if (fields.kind === 'webhook') checkWebhookAddress(ctx, fields.address)
  return ctx.db.transaction().execute(async (trx) => {
    const row = await insertEndpoint(trx, { ...fields, createdBy: operator.id })
    if (!row) {
      throw new ApiError('CONFLICT', '这个地址已经是该区县的通知接收方。', {
        field: 'address',
      })
    }
    await recordAudit(trx, {
      operator,
      action: 'notification.endpoint_created',
      clientAddress: input.clientAddress,
      detail: { endpointId: row.id, countyCode: row.countyCode, kind: row.kind },
    })
    return endpointView(row)
  })
}

/**
 * Turns a recipient on or off (city_admin; audited). Off, what was still queued for it is given
 * up, so turning it on later does not bring back old notices.
 */
export async function setNotificationEndpointEnabled({
  ctx,
  operator,
  input,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: { id: string; enabled: boolean; clientAddress: string }
}): Promise<EndpointView> {
  return ctx.db.transaction().execute(async (trx) => {
    const row = await setEndpointEnabled(trx, input.id, input.enabled)
    if (!row) throw new ApiError('NOT_FOUND', endpointNotFoundMessage)
    const givenUp = input.enabled ? 0 : await giveUpPendingOf(trx, row.id, '接收方已停用')
    await recordAudit(trx, {
      operator,
      action: input.enabled ? 'notification.endpoint_enabled' : 'notification.endpoint_disabled',
      clientAddress: input.clientAddress,
      detail: { endpointId: row.id, countyCode: row.countyCode, kind: row.kind, givenUp },
    })
    return endpointView(row)
  })
}
