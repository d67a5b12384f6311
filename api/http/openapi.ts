import { OpenAPIHono, z } from '@hono/zod-openapi'
import type { App, AppEnv } from '../env.ts'
import { registerAdminRoutes } from './admin-routes.ts'
import { registerComplaintRoutes } from '../routes/complaints/index.ts'
import { registerEnterpriseRoutes } from '../routes/enterprises/index.ts'
import { registerHealthRoutes } from '../routes/health.ts'
import { registerHotlineRoutes } from '../routes/hotline/index.ts'
import { registerInspectionRoutes } from '../routes/inspections/index.ts'
import { registerSearchRoutes } from '../routes/search.ts'
import { registerOpen311Routes } from '../routes/open311/index.ts'
import { open311Base } from '../domain/open311.ts'
import { hotlineCallbackScheme, registerSecuritySchemes } from '../routes/security.ts'
import { openDataLicence, openDataPublisher } from '../services/open-data/licence.ts'
import { hotlineCallbackLabels, hotlineCallbackSchema } from '../services/hotline/events.ts'
import { hotlineCallbackExamples } from '../services/hotline/examples.ts'

/*
 * How an operation is described (`npm run openapi:lint` and test/unit/openapi-document.test.ts
 * hold every route to it; `npm run openapi:client` then regenerates api/client/schema.d.ts):
 *
 * - operationId: camelCase, a verb then the thing, unique in the document. `list` a collection,
 *   `get` one item, `create`/`record`/`enter` a new one, `set`/`delete`, `actOn<Thing>` for the
 *   `/actions` endpoints, and otherwise the domain's verb (`fileComplaint`, `trackComplaint`,
 *   `drawCampaign`, `retryHotlineCallback`, `mergeCase`, `countOpenCases`, `claimReward`). A
 *   console noun that a public route already uses takes `Console` (`listConsoleEnterprises`); a
 *   callback webhook is `notify<Type>`. Client methods are named after them, so a published one
 *   is not renamed.
 * - security: a public route declares `security: []`; a console route gets the session cookie,
 *   and the CSRF header when it changes state, from documentConsoleRoute (serveConsoleRoute
 *   calls it); the schemes are in api/routes/security.ts.
 * - a request body shows an `example` (or `examples`) beside its schema; the lint checks it
 *   against the schema.
 */

/**
 * Every route of the API, with its OpenAPI entry, and our callbacks to the 12345 hotline as
 * OpenAPI webhooks. The app (createApp) and the exported document (openApiDocument) both come
 * from here, so the document the tools lint and the client is generated from is the one served.
 */
export function registerApiRoutes(app: App) {
  registerHealthRoutes(app)
  registerEnterpriseRoutes(app)
  registerSearchRoutes(app)
  registerComplaintRoutes(app)
  registerAdminRoutes(app)
  registerHotlineRoutes(app)
  registerInspectionRoutes(app)
  registerHotlineCallbacks(app)
  registerSecuritySchemes(app)
}

/** Our callbacks to the 12345 hotline: one OpenAPI 3.1 webhook per type, each with its body. */
function registerHotlineCallbacks(app: App) {
  for (const schema of hotlineCallbackSchema.options) {
    const type = schema.shape.type.value
    app.openAPIRegistry.registerWebhook({
      method: 'post',
      path: type,
      operationId: `notify${pascal(type)}`,
      security: [{ [hotlineCallbackScheme]: [] }],
      summary: `回调：${hotlineCallbackLabels[type]}（${type}）`,
      description:
        'POSTed to HOTLINE_CALLBACK_URL, signed per Standard Webhooks with HOTLINE_CALLBACK_SECRET. ' +
        "A ticket's callbacks arrive in order; a retry keeps its webhook-id, so dedupe on it. " +
        'Contract: /developers/12345.',
      request: {
        headers: z.object({
          'webhook-id': z.string().openapi({ description: '回调唯一标识，重发时不变，请据此去重' }),
          'webhook-timestamp': z.string().openapi({ description: '签名时间，Unix 秒' }),
          'webhook-signature': z.string().openapi({ description: 'v1,<base64 HMAC-SHA256>' }),
        }),
        body: {
          content: { 'application/json': { schema, example: hotlineCallbackExamples[type] } },
          required: true,
        },
      },
      responses: {
        '2XX': {
          description:
            'Delivered. Any other answer, or none within 15 s, is retried after 5 s, 5 min, ' +
            '30 min, 2 h, 5 h, 10 h, 14 h, 20 h and 24 h; after the tenth try it is dead.',
        },
      },
    })
  }
}

/** `ticket.return_requested` → `TicketReturnRequested`. */
const pascal = (type: string) =>
  type.replaceAll(/(?:^|[._])([a-z])/g, (_, letter: string) => letter.toUpperCase())

/** The document's own fields; `siteUrl` is the configured SITE_URL. */
function openApiConfig(siteUrl: string) {
  const { origin } = new URL(siteUrl)
  return {
    openapi: '3.1.0',
    info: {
      title: '丽水诚信计量 API',
      version: '1.0.0',
      description:
        '诚信计量单位名录、公开搜索、投诉举报与 12345 工单接口，以及 Open311 GeoReport v2 接口（/open311/v2，接入说明见 /developers/）。12345 热线对接说明（事件、签名、回调）见 /developers/12345；本平台发给热线的回调列在 webhooks 中。' +
        `公开接口的数据：${openDataLicence}`,
      // The licence of the public data the API answers, as on the open-data page (/data/).
      license: { name: 'CC BY 4.0', identifier: 'CC-BY-4.0' },
      contact: { name: openDataPublisher, url: `${origin}/developers/` },
    },
    servers: [{ url: origin, description: '本站（SITE_URL）' }],
  }
}

/**
 * The one document of both base paths: /api, and Open311 GeoReport v2 under /open311/v2 (a
 * versioned path of its own, api/routes/open311/). Each app prefixes its own paths; their
 * components are merged.
 */
export function documentOf(api: App, open311: App, siteUrl: string) {
  const config = openApiConfig(siteUrl)
  const main = api.getOpenAPI31Document(config)
  const extra = open311.getOpenAPI31Document(config)
  const components = { ...main.components }
  for (const [kind, entries] of Object.entries(extra.components ?? {})) {
    const key = kind as keyof typeof components
    components[key] = { ...(components[key] as object), ...(entries as object) } as never
  }
  return { ...main, paths: { ...main.paths, ...extra.paths }, components }
}

/** The document as served at /api/openapi.json, built without a database or any server. */
export function openApiDocument(siteUrl: string) {
  const root = new OpenAPIHono<AppEnv>()
  const api = root.basePath('/api')
  const open311 = root.basePath(open311Base)
  registerApiRoutes(api)
  registerOpen311Routes(open311)
  return documentOf(api, open311, siteUrl)
}
