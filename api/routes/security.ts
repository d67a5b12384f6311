import type { App } from '../env.ts'
import { sessionCookieName } from '../services/admin/sessions.ts'

// The credentials the API's operations name in their `security` (OpenAPI security schemes).
// Public routes declare `security: []`; console routes get theirs from documentConsoleRoute.

/** The console's session cookie, set by sign-in. */
export const consoleSessionScheme = 'consoleSession'
/** The CSRF token sign-in answers, sent back on every console request that changes state. */
export const consoleCsrfScheme = 'consoleCsrfToken'
/** The 12345 platform's Standard Webhooks signature on its events (HOTLINE_WEBHOOK_SECRET). */
export const hotlineEventScheme = 'hotlineEventSignature'
/** Our Standard Webhooks signature on callbacks to the 12345 platform (HOTLINE_CALLBACK_SECRET). */
export const hotlineCallbackScheme = 'hotlineCallbackSignature'

const standardWebhooks =
  'Standard Webhooks: `webhook-signature` is `v1,<base64 HMAC-SHA256>` of ' +
  '`<webhook-id>.<webhook-timestamp>.<raw body>`, keyed with the `whsec_<base64>` secret; the ' +
  'three headers travel together (the operation lists `webhook-id` and `webhook-timestamp`). ' +
  'Details: /developers/12345.'

export function registerSecuritySchemes(app: App) {
  const registry = app.openAPIRegistry
  registry.registerComponent('securitySchemes', consoleSessionScheme, {
    type: 'apiKey',
    in: 'cookie',
    name: sessionCookieName,
    description:
      '后台会话 Cookie（HttpOnly），由 POST /api/admin/auth/sign-in 设置；闲置 30 分钟或登录满 12 小时后失效。',
  })
  registry.registerComponent('securitySchemes', consoleCsrfScheme, {
    type: 'apiKey',
    in: 'header',
    name: 'X-CSRF-Token',
    description: '登录时返回的 csrfToken；后台所有改变数据的请求（非 GET）都须在此请求头中带上。',
  })
  registry.registerComponent('securitySchemes', hotlineEventScheme, {
    type: 'apiKey',
    in: 'header',
    name: 'webhook-signature',
    description: `12345 热线平台发来的事件签名，用 HOTLINE_WEBHOOK_SECRET 验证。${standardWebhooks}`,
  })
  registry.registerComponent('securitySchemes', hotlineCallbackScheme, {
    type: 'apiKey',
    in: 'header',
    name: 'webhook-signature',
    description: `本平台发给 12345 热线的回调签名，用 HOTLINE_CALLBACK_SECRET 生成。${standardWebhooks}`,
  })
}
