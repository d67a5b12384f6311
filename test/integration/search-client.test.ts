import { MeilisearchApiError, MeilisearchRequestError } from 'meilisearch'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createSearchClient } from '../../api/search/client.ts'
import { freePort } from '../../scripts/stack/ports.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'

let t: TestContext
beforeAll(async () => {
  t = await createTestContext()
})
afterAll(() => t.cleanup())

describe('the Meilisearch client over node:http', () => {
  it('returns parsed answers, and an error answer with Meilisearch’s code and status', async () => {
    const health = await t.deps.search.meili.health()
    expect(health.status).toBe('available')
    const missing = await t.deps.search.meili.getIndex('no_such_index').catch((e: unknown) => e)
    // The client wraps whatever a custom HTTP client throws in a request error.
    expect(missing).toBeInstanceOf(MeilisearchRequestError)
    const answer = (missing as MeilisearchRequestError).cause
    expect(answer).toBeInstanceOf(MeilisearchApiError)
    expect((answer as MeilisearchApiError).cause?.code).toBe('index_not_found')
    expect((answer as MeilisearchApiError).response.status).toBe(404)
  })

  it('reports an unreachable server as a request error, as fetch did', async () => {
    const nowhere = createSearchClient({
      url: `http://127.0.0.1:${await freePort()}`,
      prefix: 'x_',
    })
    const failure = await nowhere.meili.health().catch((e: unknown) => e)
    expect(failure).toBeInstanceOf(MeilisearchRequestError)
  })
})
