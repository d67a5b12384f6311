import { createRequire } from 'node:module'
import type { Config } from '../../config.ts'
import { parseWebhookSecret, signWebhook, type WebhookSecret } from '../../hotline/signature.ts'

/** How long one try may take: a hung provider must not hold the loop. */
const sendTimeoutMs = 15_000

/** One message as a transport sends it. */
interface OutgoingSms {
  /** The resident's mobile number, unsealed for this try only. */
  phone: string
  signName: string
  templateCode: string
  params: Record<string, string>
  /** The text as the bureau words it (the gateway sends it; Alibaba renders its template). */
  body: string
  /** The Standard Webhooks message id and the provider's OutId: the same on every retry. */
  messageId: string
}

/** What a try answers: sent (with the provider's id), or why not, never the text or phone. */
type SmsSendOutcome =
  | { ok: true; status: number | null; providerId: string | null }
  | { ok: false; status: number | null; error: string; permanent?: boolean }

export interface SmsTransport {
  name: SmsTransportName
  send: (message: OutgoingSms) => Promise<SmsSendOutcome>
}

export type SmsTransportName = 'aliyun' | 'gateway'

/**
 * Alibaba's answers that no retry changes: the number is not a mobile number, or it has
 * unsubscribed (回复 TD). Anything else (flow control, balance, a network fault) is retried.
 */
const permanentAliyunCodes = new Set(['isv.MOBILE_NUMBER_ILLEGAL', 'isv.BLACK_KEY_CONTROL_LIMIT'])

type DysmsModule = typeof import('@alicloud/dysmsapi20170525')
type OpenApiModule = typeof import('@alicloud/openapi-core')
type DaraModule = typeof import('@darabonba/typescript')

/**
 * The SDK's modules as Node loads them: they are CommonJS whose `default` export is the client
 * class, which an ES import would see as the whole module under Node and as the class under a
 * bundler; require answers the same everywhere.
 */
function aliyunSdk() {
  const require = createRequire(import.meta.url)
  return {
    dysms: require('@alicloud/dysmsapi20170525') as DysmsModule,
    openapi: require('@alicloud/openapi-core') as OpenApiModule,
    dara: require('@darabonba/typescript') as DaraModule,
  }
}

/**
 * Alibaba Cloud SMS through its official SDK (SendSms, signature V3 ACS3-HMAC-SHA256). The
 * template is the one registered at Alibaba under the same text; the parameters are the tracking
 * number and the page. The SDK's own retries are off: the queue retries.
 */
function aliyunTransport(config: Config): SmsTransport {
  const { dysms, openapi, dara } = aliyunSdk()
  const endpoint = new URL(config.SMS_ALIYUN_ENDPOINT)
  const client = new dysms.default(
    new openapi.$OpenApiUtil.Config({
      accessKeyId: config.SMS_ALIYUN_ACCESS_KEY_ID,
      accessKeySecret: config.SMS_ALIYUN_ACCESS_KEY_SECRET,
      endpoint: endpoint.host,
      protocol: endpoint.protocol.replace(':', ''),
      connectTimeout: sendTimeoutMs,
      readTimeout: sendTimeoutMs,
    }),
  )
  return {
    name: 'aliyun',
    async send(message) {
      try {
        const response = await client.sendSmsWithOptions(
          new dysms.SendSmsRequest({
            phoneNumbers: message.phone,
            signName: message.signName,
            templateCode: message.templateCode,
            templateParam: JSON.stringify(message.params),
            outId: message.messageId,
          }),
          new dara.RuntimeOptions({
            autoretry: false,
            connectTimeout: sendTimeoutMs,
            readTimeout: sendTimeoutMs,
          }),
        )
        const body = response.body
        if (body?.code === 'OK') {
          return { ok: true, status: response.statusCode ?? null, providerId: body.bizId ?? null }
        }
        const code = body?.code ?? 'unknown'
        return {
          ok: false,
          status: response.statusCode ?? null,
          error: `阿里云短信未受理：${code} ${body?.message ?? ''}`.trim(),
          permanent: permanentAliyunCodes.has(code),
        }
      } catch (error) {
        const e = error as { code?: string; statusCode?: number; message?: string }
        return {
          ok: false,
          status: e.statusCode ?? null,
          error:
            `阿里云短信未发出：${e.code ?? ''} ${(e.message ?? String(error)).slice(0, 300)}`.trim(),
        }
      }
    },
  }
}

/**
 * The province's government SMS platform behind a signed HTTPS gateway: the message is POSTed
 * as JSON, signed with Standard Webhooks (webhook-id is the message id, the same on every retry,
 * so the gateway can drop a repeat). A 2xx answer is taken as accepted; its `id`, if any, kept.
 */
function gatewayTransport(url: string, secret: WebhookSecret): SmsTransport {
  return {
    name: 'gateway',
    async send(message) {
      const body = JSON.stringify({
        type: 'sms.send',
        timestamp: new Date().toISOString(),
        data: {
          phone: message.phone,
          signName: message.signName,
          text: message.body,
          templateCode: message.templateCode,
          params: message.params,
        },
      })
      const headers = signWebhook(secret, message.messageId, Date.now() / 1000, body)
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: {
            ...headers,
            'content-type': 'application/json',
            'user-agent': 'lishui-metrology',
          },
          body,
          redirect: 'manual',
          signal: AbortSignal.timeout(sendTimeoutMs),
        })
        const answer = await res.text().catch(() => '')
        if (res.status >= 200 && res.status < 300) {
          let providerId: string | null = null
          try {
            const id = (JSON.parse(answer) as { id?: unknown }).id
            if (typeof id === 'string') providerId = id.slice(0, 200)
          } catch {
            // An answer without JSON is still an acceptance.
          }
          return { ok: true, status: res.status, providerId }
        }
        return {
          ok: false,
          status: res.status,
          error: `短信网关未受理：HTTP ${res.status} ${answer.slice(0, 300)}`.trim(),
        }
      } catch (error) {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause
        const detail = cause?.code ?? cause?.message ?? (error as Error).message
        return { ok: false, status: null, error: `无法连接短信网关：${detail}` }
      }
    },
  }
}

/** Which transport the configuration sets up, if any (config.ts allows one at most). */
export function configuredSmsTransport(
  config: Pick<Config, 'SMS_ALIYUN_ACCESS_KEY_ID' | 'SMS_GATEWAY_URL'>,
): SmsTransportName | null {
  if (config.SMS_ALIYUN_ACCESS_KEY_ID) return 'aliyun'
  if (config.SMS_GATEWAY_URL) return 'gateway'
  return null
}

/** The configured transport, ready to send; null when none is set (messages stay queued). */
export function openSmsTransport(config: Config): SmsTransport | null {
  switch (configuredSmsTransport(config)) {
    case 'aliyun':
      return aliyunTransport(config)
    case 'gateway':
      return gatewayTransport(
        config.SMS_GATEWAY_URL!,
        parseWebhookSecret(config.SMS_GATEWAY_SECRET!.trim()),
      )
    case null:
      return null
  }
}
