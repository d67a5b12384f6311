import createClient, { type ClientOptions } from 'openapi-fetch'
import type { paths } from './schema.d.ts'

/**
 * A client of /api typed from the OpenAPI document: paths, parameters, bodies and answers are
 * checked at compile time against api/client/schema.d.ts, which `npm run openapi:client`
 * generates from the document and `npm run check` keeps in step with the routes.
 */
export function createApiClient(options: ClientOptions) {
  return createClient<paths>(options)
}
