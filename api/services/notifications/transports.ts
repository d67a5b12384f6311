import nodemailer from 'nodemailer'
import type { Config } from '../../config.ts'
import { parseWebhookSecret, signWebhook, type WebhookSecret } from '../../hotline/signature.ts'
import type { NotificationTransport } from '../../domain/notifications.ts'
import { isLoopbackHost } from '../../domain/loopback.ts'
import { webhookBody, type StoredNotice } from './message.ts'

/** How long one try may take, either transport: a hung receiver must not hold the loop. */
const sendTimeoutMs = 15_000

/** What a try answers: delivered, or why not (never the message's text). */
export type SendOutcome =
  { ok: true; status: number | null } | { ok: false; status: number | null; error: string }

interface OutgoingNotice {
  notice: StoredNotice
  /** The delivery's message id: the webhook-id, and the e-mail's Message-ID. */
  messageId: string
  /** When the notice was fanned out: the webhook payload's `timestamp`. */
  createdAt: Date
  address: string
}

export interface Transport {
  send: (message: OutgoingNotice) => Promise<SendOutcome>
  close: () => void
}

/** `host` of a Message-ID: the From's domain, so the id is the sender's own. */
const domainOf = (from: string) => /@([^\s>]+)/.exec(from)?.[1] ?? 'localhost'

function emailTransport(config: Config, url: string, from: string): Transport {
  const host = new URL(url).hostname
  const transporter = nodemailer.createTransport({
    url,
    // In production a plain smtp:// link must upgrade with STARTTLS before any password is sent,
    // except to a relay on this machine.
    requireTLS: config.NODE_ENV === 'production' && !isLoopbackHost(host),
    connectionTimeout: sendTimeoutMs,
    greetingTimeout: sendTimeoutMs,
    socketTimeout: sendTimeoutMs,
  })
  return {
    async send(message) {
      try {
        const info = await transporter.sendMail({
          from,
          to: message.address,
          subject: message.notice.title,
          text: message.notice.text,
          messageId: `<${message.messageId}@${domainOf(from)}>`,
          textEncoding: 'base64',
          disableUrlAccess: true,
          disableFileAccess: true,
        })
        if (info.rejected.length > 0) {
          return { ok: false, status: null, error: `收件地址被拒收：${info.response}` }
        }
        return { ok: true, status: null }
      } catch (error) {
        const e = error as { responseCode?: number; code?: string; message?: string }
        return {
          ok: false,
          status: e.responseCode ?? null,
          error: `邮件未发出：${e.code ?? ''} ${e.message ?? String(error)}`.trim(),
        }
      }
    },
    close: () => transporter.close(),
  }
}

function webhookTransport(secret: WebhookSecret): Transport {
  return {
    async send(message) {
      const body = webhookBody(message.notice, message.createdAt)
      // The wall clock: the receiver checks the timestamp against its own.
      const headers = signWebhook(secret, message.messageId, Date.now() / 1000, body)
      try {
        const res = await fetch(message.address, {
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
        if (res.status >= 200 && res.status < 300) return { ok: true, status: res.status }
        return {
          ok: false,
          status: res.status,
          error: `HTTP ${res.status} ${answer.slice(0, 300)}`.trim(),
        }
      } catch (error) {
        const cause = (error as { cause?: { code?: string; message?: string } }).cause
        const detail = cause?.code ?? cause?.message ?? (error as Error).message
        return { ok: false, status: null, error: `无法连接：${detail}` }
      }
    },
    close: () => undefined,
  }
}

/** Which transports the configuration makes usable: the others' deliveries stay queued. */
export function configuredTransports(
  config: Pick<Config, 'NOTIFY_SMTP_URL' | 'NOTIFY_MAIL_FROM' | 'NOTIFY_WEBHOOK_SECRET'>,
): NotificationTransport[] {
  const ready: NotificationTransport[] = []
  if (config.NOTIFY_SMTP_URL && config.NOTIFY_MAIL_FROM) ready.push('email')
  if (config.NOTIFY_WEBHOOK_SECRET) ready.push('webhook')
  return ready
}

/** The configured transports, ready to send; close them when done. */
export function openTransports(config: Config): Partial<Record<NotificationTransport, Transport>> {
  const open: Partial<Record<NotificationTransport, Transport>> = {}
  if (config.NOTIFY_SMTP_URL && config.NOTIFY_MAIL_FROM) {
    open.email = emailTransport(config, config.NOTIFY_SMTP_URL, config.NOTIFY_MAIL_FROM)
  }
  if (config.NOTIFY_WEBHOOK_SECRET) {
    open.webhook = webhookTransport(parseWebhookSecret(config.NOTIFY_WEBHOOK_SECRET.trim()))
  }
  return open
}
