import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { createServer, type IncomingMessage, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * Alibaba Cloud SMS's end of SendSms, on 127.0.0.1: a real HTTP server that checks every request
 * the way Alibaba documents it ("V3 版本请求体&签名机制", ACS3-HMAC-SHA256) before answering as
 * SendSms does. A request whose signature, payload hash, date or nonce is wrong is answered 4xx
 * with Alibaba's error code and kept apart, so a test sees both what arrived and what passed.
 */

/** One SendSms the receiver accepted, its parameters decoded. */
interface AliyunSms {
  phoneNumbers: string
  signName: string
  templateCode: string
  templateParam: Record<string, string>
  outId: string | undefined
  accessKeyId: string
}

export interface AliyunSmsReceiver {
  /** The endpoint for SMS_ALIYUN_ENDPOINT. */
  url: string
  accepted: AliyunSms[]
  /** Requests refused, with Alibaba's code (SignatureDoesNotMatch, …). */
  refused: { code: string; detail: string }[]
  /** Decides the answer to a request that passed the checks: OK, or an error code. */
  answer: (sms: AliyunSms) => { status: number; code: string; message: string }
  start: () => Promise<void>
  /** Stops listening: connections are refused, as when the provider cannot be reached. */
  stop: () => Promise<void>
}

/** RFC 3986 percent-encoding, as the signature takes it: only A–Z a–z 0–9 - _ . ~ stay. */
const encode = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex')

/** Checks a request's V3 signature; answers the refusal's code and why, or null when it holds. */
function checkAliyunSignature(
  req: Pick<IncomingMessage, 'method' | 'url' | 'headers'>,
  body: Buffer,
  keys: ReadonlyMap<string, string>,
  now = Date.now(),
): { code: string; detail: string; accessKeyId?: string } | null {
  const auth =
    /^ACS3-HMAC-SHA256 Credential=([^,]+),SignedHeaders=([^,]+),Signature=([0-9a-f]{64})$/.exec(
      req.headers.authorization ?? '',
    )
  if (!auth) return { code: 'MissingAuthorization', detail: 'no ACS3-HMAC-SHA256 Authorization' }
  const [, accessKeyId, signedList, signature] = auth as unknown as [string, string, string, string]
  const secret = keys.get(accessKeyId)
  if (secret === undefined) return { code: 'InvalidAccessKeyId.NotFound', detail: accessKeyId }
  const signed = signedList.split(';')
  const sorted = [...signed].sort()
  if (signed.join(';') !== sorted.join(';')) {
    return { code: 'IncompleteSignature', detail: 'SignedHeaders are not sorted' }
  }
  // Every x-acs- header and host must be signed.
  const mustSign = Object.keys(req.headers).filter((h) => h.startsWith('x-acs-') || h === 'host')
  const unsigned = mustSign.filter((h) => !signed.includes(h))
  if (unsigned.length > 0) {
    return { code: 'IncompleteSignature', detail: `unsigned: ${unsigned.join(',')}` }
  }
  for (const h of ['x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce']) {
    if (!req.headers[h]) return { code: 'MissingParameter', detail: h }
  }
  const hashed = sha256Hex(body)
  if (req.headers['x-acs-content-sha256'] !== hashed) {
    return { code: 'InvalidParameter', detail: 'x-acs-content-sha256 does not match the body' }
  }
  const date = Date.parse(String(req.headers['x-acs-date']))
  if (!Number.isFinite(date) || Math.abs(now - date) > 15 * 60_000) {
    return { code: 'InvalidTimeStamp.Expired', detail: String(req.headers['x-acs-date']) }
  }
  const url = new URL(req.url ?? '/', 'http://receiver')
  const query = [...url.searchParams]
    .map(([k, v]) => [encode(k), encode(v)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&')
  const headers = signed.map((h) => `${h}:${String(req.headers[h] ?? '').trim()}\n`).join('')
  const canonical = [
    req.method ?? 'GET',
    url.pathname.split('/').map(encode).join('/') || '/',
    query,
    headers,
    signedList,
    hashed,
  ].join('\n')
  const stringToSign = `ACS3-HMAC-SHA256\n${sha256Hex(canonical)}`
  const expected = createHmac('sha256', secret).update(stringToSign).digest()
  if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
    return { code: 'SignatureDoesNotMatch', detail: 'signature does not match', accessKeyId }
  }
  return null
}

export async function startAliyunSmsReceiver(
  keys: ReadonlyMap<string, string>,
): Promise<AliyunSmsReceiver> {
  let server: Server | undefined
  const nonces = new Set<string>()
  let port = 0
  let serial = 0
  const receiver: AliyunSmsReceiver = {
    url: '',
    accepted: [],
    refused: [],
    answer: () => ({ status: 200, code: 'OK', message: 'OK' }),
    start: async () => {
      const s = createServer((req, res) => {
        const chunks: Buffer[] = []
        req.on('data', (c: Buffer) => chunks.push(c))
        req.on('end', () => {
          const reply = (status: number, body: Record<string, string>) =>
            res
              .writeHead(status, { 'content-type': 'application/json;charset=utf-8' })
              .end(JSON.stringify({ RequestId: `req-${++serial}`, ...body }))
          const refusal = checkAliyunSignature(req, Buffer.concat(chunks), keys)
          const nonce = String(req.headers['x-acs-signature-nonce'] ?? '')
          const problem =
            refusal ??
            (nonces.has(nonce)
              ? { code: 'SignatureNonceUsed', detail: 'nonce used before' }
              : req.headers['x-acs-action'] !== 'SendSms' ||
                  req.headers['x-acs-version'] !== '2017-05-25'
                ? { code: 'InvalidAction', detail: String(req.headers['x-acs-action']) }
                : null)
          if (problem) {
            receiver.refused.push({ code: problem.code, detail: problem.detail })
            reply(problem.code === 'SignatureDoesNotMatch' ? 403 : 400, {
              Code: problem.code,
              Message: problem.detail,
            })
            return
          }
          nonces.add(nonce)
          const q = new URL(req.url ?? '/', 'http://receiver').searchParams
          const sms: AliyunSms = {
            phoneNumbers: q.get('PhoneNumbers') ?? '',
            signName: q.get('SignName') ?? '',
            templateCode: q.get('TemplateCode') ?? '',
            templateParam: JSON.parse(q.get('TemplateParam') ?? '{}') as Record<string, string>,
            outId: q.get('OutId') ?? undefined,
            accessKeyId: /Credential=([^,]+)/.exec(String(req.headers.authorization))?.[1] ?? '',
          }
          const answer = receiver.answer(sms)
          if (answer.code === 'OK') receiver.accepted.push(sms)
          reply(answer.status, {
            Code: answer.code,
            Message: answer.message,
            ...(answer.code === 'OK' ? { BizId: `${900000 + serial}^0` } : {}),
          })
        })
      })
      await new Promise<void>((resolve, reject) => {
        s.once('error', reject)
        s.listen(port, '127.0.0.1', () => resolve())
      })
      server = s
      port = (s.address() as AddressInfo).port
      receiver.url = `http://127.0.0.1:${port}`
    },
    stop: async () => {
      const s = server
      server = undefined
      if (!s) return
      s.closeAllConnections()
      await new Promise<void>((resolve) => s.close(() => resolve()))
    },
  }
  await receiver.start()
  return receiver
}
