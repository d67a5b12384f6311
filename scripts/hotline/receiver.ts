import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { Webhook } from 'standardwebhooks'
import { hotlineCallbackLabels, hotlineCallbackSchema } from '../../api/services/hotline/events.ts'

export interface ReceivedCallback {
  webhookId: string | undefined
  /** The callback's `type`, when the body names one. */
  type: string | undefined
  ticketNo: string | undefined
  /** The signature checked out under the callback secret (and the timestamp is recent). */
  valid: boolean
  /** Why the signature did not check out. */
  error: string | undefined
  /** The body matches our callback schema. */
  wellFormed: boolean
  /** This webhook-id was received before (a retry): a real receiver must not apply it twice. */
  duplicate: boolean
  body: string
}

export interface CallbackReceiver {
  /** e.g. http://127.0.0.1:4400/ — what HOTLINE_CALLBACK_URL should be. */
  url: string
  port: number
  received: ReceivedCallback[]
  close: () => Promise<void>
}

function header(req: http.IncomingMessage, name: string): string | undefined {
  const value = req.headers[name]
  return Array.isArray(value) ? value[0] : value
}

function inspect(
  body: string,
  valid: boolean,
  error: string | undefined,
  webhookId: string | undefined,
  seen: Set<string>,
): ReceivedCallback {
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    json = undefined
  }
  const named = (json ?? {}) as { type?: unknown; ticket_no?: unknown }
  const duplicate = webhookId !== undefined && seen.has(webhookId)
  if (webhookId !== undefined && valid) seen.add(webhookId)
  return {
    webhookId,
    type: typeof named.type === 'string' ? named.type : undefined,
    ticketNo: typeof named.ticket_no === 'string' ? named.ticket_no : undefined,
    valid,
    error,
    wellFormed: hotlineCallbackSchema.safeParse(json).success,
    duplicate,
    body,
  }
}

/**
 * A stand-in for the hotline's callback endpoint: verifies each delivery with the
 * `standardwebhooks` library under `secret` (our HOTLINE_CALLBACK_SECRET), reports it, and answers
 * 204 to a valid one and 401 to an invalid one (so the sender retries, as the hotline would).
 * Any path is accepted. `port` 0 picks a free port. `secret` may be a function, read at the first
 * delivery, for a receiver that must listen before the instance has made its secrets.
 */
export async function startCallbackReceiver(options: {
  port: number
  secret: string | (() => string)
  host?: string
  onCallback?: (callback: ReceivedCallback) => void
}): Promise<CallbackReceiver> {
  const { secret } = options
  let webhook: Webhook | undefined
  const verifier = () => (webhook ??= new Webhook(typeof secret === 'string' ? secret : secret()))
  const received: ReceivedCallback[] = []
  const seen = new Set<string>()
  const server = http.createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(405, { allow: 'POST' }).end()
      return
    }
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const webhookId = header(req, 'webhook-id')
      let error: string | undefined
      try {
        verifier().verify(body, {
          'webhook-id': webhookId ?? '',
          'webhook-timestamp': header(req, 'webhook-timestamp') ?? '',
          'webhook-signature': header(req, 'webhook-signature') ?? '',
        })
      } catch (failure) {
        error = failure instanceof Error ? failure.message : String(failure)
      }
      const callback = inspect(body, error === undefined, error, webhookId, seen)
      received.push(callback)
      options.onCallback?.(callback)
      res.writeHead(callback.valid ? 204 : 401).end()
    })
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host ?? '127.0.0.1', resolve)
  })
  const { port, address } = server.address() as AddressInfo
  const host = address.includes(':') ? `[${address}]` : address
  return {
    url: `http://${host}:${port}/`,
    port,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

/** One line per callback, for the console. */
export function describeCallback(callback: ReceivedCallback): string {
  const label = callback.type
    ? `${callback.type} ${(hotlineCallbackLabels as Record<string, string>)[callback.type] ?? ''}`.trim()
    : '（无法识别的内容）'
  const signature = callback.valid
    ? '签名有效 (signature valid)'
    : `签名无效 (signature INVALID: ${callback.error ?? ''})`
  const parts = [
    `← 回调 callback ${label}`,
    `工单 ${callback.ticketNo ?? '?'}`,
    `webhook-id ${callback.webhookId ?? '（缺失）'}`,
    signature,
  ]
  if (callback.valid && !callback.wellFormed)
    parts.push('内容不符合回调格式 (body does not match the schema)')
  if (callback.duplicate) parts.push('重复投递，应按 webhook-id 去重 (retry of a delivered id)')
  return parts.join('  ')
}
