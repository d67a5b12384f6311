import { isIP } from 'node:net'
import type { MiddlewareHandler } from 'hono'
import type { Config } from '../config.ts'
import type { AppEnv } from '../env.ts'
import { ApiError } from '../errors.ts'

/**
 * Every header the API reads a value from, checked before any route (issue 26): a malformed
 * value is a 400 naming the header and saying what it should hold, never a 500 from whatever
 * later trips on it. Routes keep their own finer rules (an Idempotency-Key's length per entry, a
 * webhook's signature, an Origin's host); this only keeps out what no rule could accept. A
 * `webhook-id` is checked by the hotline service once the delivery's signature holds (an
 * unsigned one is a 401 whatever its id), since a well-formed id is part of what is signed.
 */
interface HeaderRule {
  header: string
  /** Whether the rule applies under this configuration (proxy headers only behind a proxy). */
  applies?: (config: Config) => boolean
  /** The problem with `value`, in Chinese, or undefined when it is well formed. */
  problem: (value: string) => string | undefined
}

/** Visible ASCII and spaces, which every token-like header value is made of (RFC 9110 5.5). */
const visibleAscii = /^[\x20-\x7e]*$/
const lastEntry = (value: string) => value.split(',').at(-1)?.trim() ?? ''

const headerRules: readonly HeaderRule[] = [
  {
    header: 'Idempotency-Key',
    problem: (value) =>
      value.length > 200 || !visibleAscii.test(value)
        ? 'Idempotency-Key 应为不超过 200 个字符的英文字母、数字或符号，建议每次提交用一个新的 UUID。'
        : undefined,
  },
  {
    header: 'X-Forwarded-For',
    applies: (config) => config.TRUST_PROXY,
    problem: (value) =>
      isIP(lastEntry(value)) === 0
        ? '网站暂时无法识别您的网络地址，请稍后再试；如一直这样，请告知网站管理员。（管理员：X-Forwarded-For 的最后一项应为客户端的 IP 地址，如 203.0.113.7，请检查反向代理的配置。）'
        : undefined,
  },
  {
    header: 'X-Forwarded-Proto',
    applies: (config) => config.TRUST_PROXY,
    problem: (value) =>
      /^https?$/.test(lastEntry(value))
        ? undefined
        : '网站暂时无法处理您的请求，请稍后再试；如一直这样，请告知网站管理员。（管理员：X-Forwarded-Proto 应为 http 或 https，请检查反向代理的配置。）',
  },
  {
    header: 'Origin',
    problem: (value) => {
      if (value === 'null') return undefined
      let url: URL | undefined
      try {
        url = new URL(value)
      } catch {
        url = undefined
      }
      return url && /^https?:$/.test(url.protocol) && url.origin === value
        ? undefined
        : 'Origin 应为发起请求的网页来源（如 https://example.gov.cn），或 null。'
    },
  },
  {
    header: 'X-CSRF-Token',
    problem: (value) =>
      value.length <= 200 && /^[A-Za-z0-9_-]*$/.test(value)
        ? undefined
        : 'X-CSRF-Token 格式有误，请刷新页面后重试。',
  },
  {
    header: 'webhook-timestamp',
    problem: (value) =>
      /^\d{1,12}$/.test(value)
        ? undefined
        : 'webhook-timestamp 应为以秒计的 Unix 时间戳。请按 Standard Webhooks 规范重新签名发送。',
  },
  {
    header: 'webhook-signature',
    problem: (value) =>
      value.length <= 2000 && /^v\d+,[A-Za-z0-9+/]+={0,2}( v\d+,[A-Za-z0-9+/]+={0,2})*$/.test(value)
        ? undefined
        : 'webhook-signature 应为以空格分隔的 “v1,<base64 签名>”。请按 Standard Webhooks 规范重新签名发送。',
  },
  {
    header: 'User-Agent',
    problem: (value) =>
      value.length <= 1000
        ? undefined
        : 'User-Agent 过长（超过 1000 个字符），请使用常见的浏览器访问。',
  },
]

/** The middleware that applies headerRules to every API and Open311 request. */
export function checkHeaders(config: Config): MiddlewareHandler<AppEnv> {
  const rules = headerRules.filter((rule) => rule.applies?.(config) ?? true)
  return async (c, next) => {
    for (const rule of rules) {
      const value = c.req.header(rule.header)
      if (value === undefined) continue
      const problem = rule.problem(value)
      if (problem) {
        throw new ApiError('VALIDATION_FAILED', problem, [{ field: rule.header, message: problem }])
      }
    }
    await next()
  }
}
