import { createRoute, z } from '@hono/zod-openapi'
import type { App } from '../env.ts'
import { checkDependencies } from '../services/health/ready.ts'

const health = createRoute({
  method: 'get',
  path: '/health',
  operationId: 'getHealth',
  security: [],
  summary: '进程存活检查',
  responses: {
    200: {
      description: 'The process is up.',
      content: { 'application/json': { schema: z.object({ status: z.literal('ok') }) } },
    },
  },
})

const readySchema = z.object({
  status: z.enum(['ready', 'unavailable']),
  checks: z.object({ postgres: z.enum(['ok', 'down']), meilisearch: z.enum(['ok', 'down']) }),
  message: z.string().optional(),
})

const ready = createRoute({
  method: 'get',
  path: '/ready',
  operationId: 'getReadiness',
  security: [],
  summary: '依赖就绪检查（PostgreSQL 与 Meilisearch）',
  responses: {
    200: { description: 'Both answer.', content: { 'application/json': { schema: readySchema } } },
    503: {
      description: 'One or both do not answer; `checks` names which.',
      content: { 'application/json': { schema: readySchema } },
    },
  },
})

export function registerHealthRoutes(app: App) {
  app.openapi(health, (c) => c.json({ status: 'ok' as const }, 200))

  app.openapi(ready, async (c) => {
    const checks = await checkDependencies({ ctx: c.get('ctx') })
    const { postgres, meilisearch } = checks
    if (postgres === 'ok' && meilisearch === 'ok')
      return c.json({ status: 'ready' as const, checks }, 200)
    const down = [postgres === 'down' && 'PostgreSQL', meilisearch === 'down' && 'Meilisearch']
      .filter(Boolean)
      .join('、')
    return c.json({ status: 'unavailable' as const, checks, message: `${down} 无响应` }, 503)
  })
}
