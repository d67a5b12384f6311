import { OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import { bodyLimit } from 'hono/body-limit'
import { HTTPException } from 'hono/http-exception'
import { requestId } from 'hono/request-id'
import { secureHeaders } from 'hono/secure-headers'
import { z } from 'zod'
import { bodyLimitFor } from '../body-limits.ts'
import type { Deps } from '../deps.ts'
import type { Logger } from '../logger.ts'
import type { AppEnv } from '../env.ts'
import { isDatabaseUnavailable } from '../../db/errors.ts'
import { ApiError, errorBody } from '../errors.ts'
import { documentOf, registerApiRoutes } from './openapi.ts'
import { checkHeaders } from './header-checks.ts'
import { open311Base } from '../domain/open311.ts'
import { registerOpen311Routes } from '../routes/open311/index.ts'
import { open311ErrorAnswer } from '../routes/open311/format.ts'
import { validationHook } from '../validation.ts'

// zod's own messages, in Chinese, for every schema in the API.
z.config(z.locales.zhCN())

/**
 * A request's one log line. The path only: query strings may carry a query code or a phone
 * number. `started` is the request's `performance.now()` on arrival.
 */
export function logRequest(
  logger: Logger,
  line: { method: string; path: string; status: number; started: number; kept?: boolean },
) {
  const { started, ...fields } = line
  logger.info({ ...fields, ms: Math.round((performance.now() - started) * 10) / 10 }, 'request')
}

/**
 * The one way into the API: request ids, one log line per request, security headers, a body
 * limit, zod validation and the one error shape are installed here, for every route.
 */
export function createApp(deps: Deps) {
  // The middleware below runs for /api and for Open311 (/open311/v2) alike: the two base-path
  // apps share this root's router.
  const root = new OpenAPIHono<AppEnv>({ defaultHook: validationHook })

  root.use(requestId({ headerName: 'X-Request-Id' }))
  root.use(async (c, next) => {
    const started = performance.now()
    const logger = deps.logger.child({ requestId: c.get('requestId') })
    c.set('logger', logger)
    c.set('deps', deps)
    c.set('ctx', { ...deps, logger })
    await next()
    logRequest(logger, { method: c.req.method, path: c.req.path, status: c.res.status, started })
  })
  root.use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
      },
      referrerPolicy: 'strict-origin-when-cross-origin',
      xContentTypeOptions: 'nosniff',
      crossOriginResourcePolicy: 'same-origin',
    }),
  )
  // Every route's own limit (api/body-limits.ts), counted on the stream, chunked bodies too: the
  // web server enforces the same table in front of us, and this keeps it for `app.request()`
  // callers and any other host of this app.
  root.use((c, next) => {
    const limit = bodyLimitFor(deps.config, c.req.path)
    return bodyLimit({
      maxSize: limit.maxBytes,
      onError: () => {
        throw new ApiError('PAYLOAD_TOO_LARGE', limit.message, { limitBytes: limit.maxBytes })
      },
    })(c, next)
  })

  // A malformed header value is the client's to fix: a 400 naming it, before any route reads it.
  root.use(checkHeaders(deps.config))

  const api = root.basePath('/api')
  const open311 = root.basePath(open311Base)
  registerApiRoutes(api)
  registerOpen311Routes(open311)
  // Read per request: a server started on PORT 0 learns its address only when it listens.
  api.get('/openapi.json', (c) => c.json(documentOf(api, open311, deps.config.SITE_URL)))

  api.notFound((c) =>
    c.json(
      errorBody(
        new ApiError('NOT_FOUND', '没有这个接口，请核对地址。接口说明见 /api/openapi.json。'),
        c.get('requestId'),
      ),
      404,
    ),
  )

  api.onError((err, c) => {
    const { error, status } = refusalOf(err, c)
    // Open311 clients expect the specification's error list, in the format they asked for.
    if (c.req.path.startsWith(`${open311Base}/`)) return open311ErrorAnswer(c, error, status)
    return c.json(errorBody(error, c.get('requestId')), status)
  })

  return api
}

/** What an error answers: its ApiError and status, logged and with Retry-After where it helps. */
function refusalOf(
  err: Error,
  c: Context<AppEnv>,
): { error: ApiError; status: ContentfulStatusCode } {
  if (err instanceof ApiError) {
    if (err.status >= 500) c.get('logger').error({ code: err.code }, err.message)
    if (err.code === 'RATE_LIMITED' && err.details && typeof err.details === 'object') {
      const retry = (err.details as { retryAfterSeconds?: number }).retryAfterSeconds
      if (retry) c.header('Retry-After', String(retry))
    }
    return { error: err, status: err.status }
  }
  if (err instanceof HTTPException && err.status < 500) {
    // Hono's own refusals (malformed JSON, a wrong content type) are the client's to fix.
    const refusal = new ApiError(
      'BAD_REQUEST',
      '请求格式有误，无法解析。请检查提交的内容（例如 JSON 格式）后重试。',
    )
    return { error: refusal, status: err.status }
  }
  if (isDatabaseUnavailable(err)) {
    c.get('logger').error({ err: { message: err.message } }, 'database unavailable')
    c.header('Retry-After', '10')
    const unavailable = new ApiError(
      'SERVICE_UNAVAILABLE',
      '系统暂时无法读写数据，本次请求可能没有完成。请稍后重试（同一份投诉重复提交不会重复登记）；如急需处理，请拨打 12345。',
    )
    return { error: unavailable, status: 503 }
  }
  c.get('logger').error({ err: { message: err.message, stack: err.stack } }, 'unhandled error')
  const internal = new ApiError(
    'INTERNAL',
    '系统出现意外错误，请稍后再试。如多次出现，请拨打 12345 反映。',
  )
  return { error: internal, status: 500 }
}
