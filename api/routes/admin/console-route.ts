import type { RouteConfig } from '@hono/zod-openapi'
import type { Context, MiddlewareHandler } from 'hono'
import { HTTPException } from 'hono/http-exception'
import type { App, AppEnv } from '../../env.ts'
import { consoleCsrfScheme, consoleSessionScheme } from '../security.ts'

/** A console route's OpenAPI entry: an operationId is required (api/http/openapi.ts). */
export type ConsoleRouteConfig = RouteConfig & { operationId: string }

/**
 * Puts a console route in the OpenAPI document with the credentials it needs (the schemes are
 * in api/http/openapi.ts): the session cookie, and for a request that changes state the CSRF
 * header as well. A route that needs neither (sign-in) declares `security: []` itself.
 */
export function documentConsoleRoute(app: App, route: ConsoleRouteConfig) {
  const security =
    route.security ??
    (route.method === 'get'
      ? [{ [consoleSessionScheme]: [] }]
      : [{ [consoleSessionScheme]: [], [consoleCsrfScheme]: [] }])
  app.openAPIRegistry.registerPath({ ...route, security })
}

/**
 * Serves a console route whose verb parses its own input: the route stays in the OpenAPI
 * document with its request schemas, but no validator runs before the handler, so each input is
 * checked once, by the verb both the pages and the API call.
 */
export function serveConsoleRoute(
  app: App,
  route: ConsoleRouteConfig,
  handler: (c: Context<AppEnv>) => Promise<Response> | Response,
) {
  const { middleware, ...documented } = route
  documentConsoleRoute(app, documented)
  const before = (
    middleware ? (Array.isArray(middleware) ? middleware : [middleware]) : []
  ) as MiddlewareHandler<AppEnv>[]
  app.on(
    [route.method.toUpperCase()],
    [route.path.replaceAll(/\/{(.+?)}/g, '/:$1')],
    ...before,
    handler,
  )
}

/**
 * A JSON body as sent, for the verb to parse. Refused as the validators did: 415 for another
 * content type, 400 for JSON that does not parse (both worded by the app's error handler).
 */
export async function jsonBody(c: Context<AppEnv>): Promise<unknown> {
  const type = c.req.header('content-type')
  // No body at all reads as an empty object, whose missing fields the verb then names.
  if (type === undefined && !c.req.raw.body) return {}
  if (!/^application\/([a-z-.]+\+)?json(\s*;|$)/i.test(type ?? '')) {
    throw new HTTPException(415, { message: 'Unsupported Media Type' })
  }
  try {
    return await c.req.json()
  } catch {
    throw new HTTPException(400, { message: 'Malformed JSON in request body' })
  }
}

/** The query as sent, as the validators read it: a name given twice becomes a list. */
export function queryOf(c: Context<AppEnv>): Record<string, string | string[]> {
  return Object.fromEntries(
    Object.entries(c.req.queries()).map(([k, v]) => [k, v.length === 1 ? v[0]! : v]),
  )
}
