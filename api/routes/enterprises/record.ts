import { createHash } from 'node:crypto'
import { gzipSync } from 'node:zlib'
import { createRoute, z } from '@hono/zod-openapi'
import { getPublicRecord } from '../../services/credit/public-record.ts'
import { publicRecordSchema } from '../../services/credit/record-schemas.ts'
import { countRecordLookup } from '../../services/limits/search-limit.ts'
import type { App } from '../../env.ts'
import { clientAddress } from '../client-address.ts'
import { errorResponses } from '../shared.ts'

const params = z.object({
  uscc: z
    .string()
    .transform((v) => v.trim().toUpperCase())
    .pipe(z.string().regex(/^[0-9A-Z]{18}$/, '统一社会信用代码应为 18 位数字或大写字母'))
    .openapi({ param: { name: 'uscc', in: 'path' }, example: '91331102MA2E0000X1' }),
})

/**
 * A record changes only when a handler records something, and the pages built from it follow
 * within minutes: a minute of caching in browsers and shared caches costs nothing a citizen
 * would notice and spares PostgreSQL a scraper's repeats.
 */
const cacheControl = 'public, max-age=60, s-maxage=60'

const route = createRoute({
  method: 'get',
  path: '/enterprises/{uscc}/record',
  operationId: 'getCreditRecord',
  security: [],
  summary:
    '市场主体计量信用记录（认定情况、信用等级及理由、自我承诺、检查、查实投诉举报、行政处罚）',
  description:
    '任何以统一社会信用代码标识的单位：诚信计量单位，或在检查、查实的投诉举报、行政处罚中出现过的市场主体（未认定）。只含公开信息，不含投诉人的任何信息。可缓存 60 秒；与公开搜索共用每个来源地址每分钟的查询次数上限。',
  request: { params },
  responses: {
    200: {
      description: 'The business, its certification or none, its grade and its public record.',
      headers: z.object({
        'Cache-Control': z.string().openapi({ example: cacheControl }),
        ETag: z.string(),
      }),
      content: { 'application/json': { schema: publicRecordSchema } },
    },
    304: { description: 'Not modified: the ETag given in If-None-Match is still current.' },
    ...errorResponses(400, 404, 429),
  },
})

/** Bodies below this are sent as they are: gzip would save less than its own framing costs. */
const compressFrom = 256

export function registerGetRecord(app: App) {
  app.openapi(route, async (c) => {
    await countRecordLookup(c.get('deps'), clientAddress(c))
    const record = await getPublicRecord({ ctx: c.get('ctx'), input: c.req.valid('param') })
    // The ETag and gzip are done here, synchronously, on the one JSON text of a few KB, rather
    // than by middlewares that read the answer back through web streams (CompressionStream, a
    // digest of the streamed body): less work and fewer allocations on every request.
    const json = JSON.stringify(record)
    const tag = `"${createHash('sha1').update(json).digest('base64url')}"`
    c.header('Cache-Control', cacheControl)
    c.header('ETag', tag)
    c.header('Vary', 'Accept-Encoding')
    if (c.req.header('if-none-match') === tag) return c.body(null, 304)
    if (json.length >= compressFrom && /\bgzip\b/.test(c.req.header('accept-encoding') ?? '')) {
      c.header('Content-Type', 'application/json; charset=UTF-8')
      c.header('Content-Encoding', 'gzip')
      return c.body(gzipSync(json, { level: 6 }), 200)
    }
    return c.json(record, 200)
  })
}
