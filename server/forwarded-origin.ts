import type { IncomingMessage } from 'node:http'
import type { Config } from '../api/config.ts'

/**
 * Behind a balancer that ends TLS (nginx, a cloud load balancer), a browser posts a form with
 * `Origin: https://<host>` while the request reaches this process as plain HTTP; Astro's origin
 * check (astro.config.mjs `security.checkOrigin`) compares it with `http://<host>` and refuses
 * every complaint form and console sign-in as a cross-site post. When the balancer is trusted
 * (TRUST_PROXY) and says the visitor used HTTPS (`X-Forwarded-Proto: https`, its last value), an
 * Origin naming this very host over HTTPS is handed on as the same host over HTTP: the same
 * origin the visitor saw. Any other Origin is left as it is, so a foreign site is still refused.
 */
export function acceptForwardedOrigin(config: Pick<Config, 'TRUST_PROXY'>, req: IncomingMessage) {
  if (!config.TRUST_PROXY) return
  const origin = req.headers.origin
  const host = req.headers.host
  const proto = req.headers['x-forwarded-proto']
  const last = (Array.isArray(proto) ? proto.join(',') : (proto ?? '')).split(',').at(-1)?.trim()
  if (last === 'https' && host && origin === `https://${host}`)
    req.headers.origin = `http://${host}`
}
