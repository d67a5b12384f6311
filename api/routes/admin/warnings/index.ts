import { createRoute } from '@hono/zod-openapi'
import {
  actOnWarningInConsole,
  getWarningInConsole,
  listThresholdsInConsole,
  listWarningsInConsole,
  removeThresholdInConsole,
  setThresholdInConsole,
} from '../../../services/admin/warnings/console.ts'
import {
  thresholdInputSchema,
  thresholdListSchema,
  thresholdParams,
  warningActionSchema,
  warningDetailSchema,
  warningListQuerySchema,
  warningListSchema,
  warningParams,
} from '../../../services/admin/warnings/schemas.ts'
import type { App } from '../../../env.ts'
import { errorResponses } from '../../shared.ts'
import { jsonBody, queryOf, serveConsoleRoute } from '../console-route.ts'
import { consoleRequestOf } from '../guard.ts'

const scope =
  'County-scoped: a county handler sees its county’s warnings and the city-wide ones (county ' +
  'null), a city-level operator every one; a viewer reads only. A city-wide warning is acted ' +
  'on by a city administrator only.'

const list = createRoute({
  method: 'get',
  path: '/admin/warnings',
  operationId: 'listWarnings',
  summary: '预警列表（待处置、已确认的在前，再按等级、触发时间）',
  description: `${scope} A \`county\` outside the operator’s scope is 403.`,
  request: { query: warningListQuerySchema },
  responses: {
    200: {
      description: 'One page of warnings and the open count in scope.',
      content: { 'application/json': { schema: warningListSchema } },
    },
    ...errorResponses(400, 401, 403),
  },
})

const get = createRoute({
  method: 'get',
  path: '/admin/warnings/{id}',
  operationId: 'getWarning',
  summary: '一条预警及其关联案件（不含投诉人信息）',
  description: `${scope} One outside the operator’s scope answers 404, as an unknown one does.`,
  request: { params: warningParams },
  responses: {
    200: {
      description: 'The warning with its cases.',
      content: { 'application/json': { schema: warningDetailSchema } },
    },
    ...errorResponses(400, 401, 403, 404),
  },
})

const act = createRoute({
  method: 'post',
  path: '/admin/warnings/{id}/actions',
  operationId: 'actOnWarning',
  summary: '确认、处置或排除预警（按版本号防止覆盖他人的操作）',
  description:
    `${scope} open → acknowledged → handled | dismissed, or open → handled | dismissed; a ` +
    'closed warning is final (409). `version` is the one read: if someone acted since, 409 ' +
    'and nothing is written. Audited.',
  request: {
    params: warningParams,
    body: {
      content: {
        'application/json': {
          example: { action: 'acknowledge', version: 1 },
          schema: warningActionSchema,
        },
      },
      required: true,
    },
  },
  responses: {
    200: {
      description: 'The warning after the action.',
      content: { 'application/json': { schema: warningDetailSchema } },
    },
    ...errorResponses(400, 401, 403, 404, 409),
  },
})

const thresholds = createRoute({
  method: 'get',
  path: '/admin/warnings/thresholds',
  operationId: 'listWarningThresholds',
  summary: '预警阈值设置（市局管理员）',
  responses: {
    200: {
      description: 'Every fixed threshold.',
      content: { 'application/json': { schema: thresholdListSchema } },
    },
    ...errorResponses(401, 403),
  },
})

const setOne = createRoute({
  method: 'post',
  path: '/admin/warnings/thresholds',
  operationId: 'setWarningThreshold',
  summary: '设置某类对象在某区县（或全市）的预警阈值，已有的替换；记入审计日志',
  request: {
    body: {
      content: {
        'application/json': {
          example: {
            subjectKind: 'business',
            county: '331102',
            windowHours: 168,
            minCount: 3,
            severity: 2,
          },
          schema: thresholdInputSchema,
        },
      },
      required: true,
    },
  },
  responses: {
    200: {
      description: 'Every fixed threshold after the change.',
      content: { 'application/json': { schema: thresholdListSchema } },
    },
    ...errorResponses(400, 401, 403),
  },
})

const removeOne = createRoute({
  method: 'delete',
  path: '/admin/warnings/thresholds/{id}',
  operationId: 'deleteWarningThreshold',
  summary: '删除一条预警阈值；记入审计日志',
  request: { params: thresholdParams },
  responses: {
    200: {
      description: 'Every fixed threshold after the change.',
      content: { 'application/json': { schema: thresholdListSchema } },
    },
    ...errorResponses(400, 401, 403, 404),
  },
})

/** 预警 in the console (issue 24, item 1). Thresholds first: their paths are not ids. */
export function registerWarningRoutes(app: App) {
  serveConsoleRoute(app, thresholds, async (c) => {
    const view = await listThresholdsInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: {},
    })
    return c.json(view, 200)
  })
  serveConsoleRoute(app, setOne, async (c) => {
    const view = await setThresholdInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: () => jsonBody(c),
    })
    return c.json(view, 200)
  })
  serveConsoleRoute(app, removeOne, async (c) => {
    const view = await removeThresholdInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: c.req.param(),
    })
    return c.json(view, 200)
  })
  serveConsoleRoute(app, list, async (c) => {
    const page = await listWarningsInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: queryOf(c),
    })
    return c.json(page, 200)
  })
  serveConsoleRoute(app, get, async (c) => {
    const view = await getWarningInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: c.req.param(),
    })
    return c.json(view, 200)
  })
  serveConsoleRoute(app, act, async (c) => {
    const view = await actOnWarningInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: async () => ({ id: c.req.param('id'), fields: await jsonBody(c) }),
    })
    return c.json(view, 200)
  })
}
