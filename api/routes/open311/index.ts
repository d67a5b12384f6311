import type { Context } from 'hono'
import type { App, AppEnv } from '../../env.ts'
import { ApiError } from '../../errors.ts'
import { open311Base, type Open311Format } from '../../domain/open311.ts'
import {
  checkJurisdiction,
  open311Discovery,
  open311ServiceDefinition,
  open311ServiceList,
} from '../../services/open311/catalog.ts'
import { fileOpen311Request } from '../../services/open311/file.ts'
import { getOpen311Request, listOpen311Requests } from '../../services/open311/read.ts'
import { clientAddress } from '../client-address.ts'
import { open311Answer } from './format.ts'
import { documentOpen311Routes } from './document.ts'

/** `services.json`, `services/short_weight.xml`, `requests/JL20261206-4827-3915.json`. */
const resourcePattern = /^(discovery|services|requests)(?:\/([^/.]+))?\.(json|xml)$/

const notFound = () =>
  new ApiError(
    'NOT_FOUND',
    '没有这个 Open311 接口。可用：discovery、services、services/{service_code}、requests、requests/{service_request_id}，后缀 .json 或 .xml。说明见 /developers/。',
  )

/** The query's first value of each name. */
const queryOf = (c: Context<AppEnv>) => c.req.query()

/**
 * One handler for every path under /open311/v2: a GeoReport v2 path ends in its format
 * (`requests/{id}.json`), which no router pattern expresses, so the path is read here and each
 * resource calls its service verb. Refusals are thrown as ApiError; the app's error handler
 * answers them in the specification's error format for these paths (api/http/app.ts).
 */
async function serveOpen311(c: Context<AppEnv>): Promise<Response> {
  const rest = c.req.path.slice(open311Base.length + 1)
  const match = resourcePattern.exec(rest)
  if (!match) throw notFound()
  const [, resource, id, suffix] = match as unknown as [string, string, string | undefined, string]
  const format = suffix as Open311Format
  const method = c.req.method === 'HEAD' ? 'GET' : c.req.method
  const allowed = resource === 'requests' && id === undefined ? ['GET', 'POST'] : ['GET']
  if (!allowed.includes(method)) {
    c.header('Allow', allowed.join(', '))
    throw new ApiError('BAD_REQUEST', `这个 Open311 接口只接受 ${allowed.join('、')} 请求。`)
  }
  const ctx = c.get('ctx')
  const query = queryOf(c)
  if (resource === 'discovery') {
    if (id !== undefined) throw notFound()
    return open311Answer(c, format, 'discovery', open311Discovery(ctx.config.SITE_URL))
  }
  if (resource === 'services') {
    if (id === undefined) {
      return open311Answer(c, format, 'services', open311ServiceList(query.jurisdiction_id))
    }
    checkJurisdiction(query.jurisdiction_id)
    return open311Answer(c, format, 'service_definition', open311ServiceDefinition(id))
  }
  c.header('Cache-Control', 'no-store')
  if (method === 'POST') {
    const { receipt, notice } = await fileOpen311Request({
      ctx,
      input: { request: c.req.raw, clientAddress: clientAddress(c) },
    })
    if (receipt.replayed) c.header('Idempotent-Replayed', 'true')
    const answer = [
      { service_request_id: receipt.trackingNo, service_notice: notice, account_id: null },
    ]
    return open311Answer(c, format, 'service_requests', answer, 201)
  }
  const caller = { apiKey: query.api_key, clientAddress: clientAddress(c) }
  const requests =
    id === undefined
      ? await listOpen311Requests({ ctx, input: { ...caller, query } })
      : await getOpen311Request({ ctx, input: { ...caller, id } })
  return open311Answer(c, format, 'service_requests', requests)
}

/**
 * Open311 GeoReport v2 (issue 27, item 3) on `app`, whose base path is /open311/v2: the
 * operations go in the OpenAPI document (document.ts) and one handler serves them all.
 */
export function registerOpen311Routes(app: App) {
  documentOpen311Routes(app)
  app.all('*', serveOpen311)
}
