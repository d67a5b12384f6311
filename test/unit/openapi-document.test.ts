import SwaggerParser from '@apidevtools/swagger-parser'
import { describe, expect, it } from 'vitest'
import { openApiDocument } from '../../api/http/openapi.ts'

// Issue 27: the document /api/openapi.json serves (built here without a server; the integration
// test test/integration/api-client.test.ts shows the served one is the same) is one that tools
// accept, and every operation follows the conventions written in api/http/openapi.ts.

interface Operation {
  operationId?: string
  security?: Record<string, string[]>[]
  requestBody?: { content: Record<string, { example?: unknown; examples?: unknown }> }
}
type Operations = Record<string, Record<string, Operation>>

const document = JSON.parse(JSON.stringify(openApiDocument('https://jl.example.cn/'))) as {
  paths: Operations
  webhooks: Operations
  servers: { url: string }[]
  info: { license?: unknown; contact?: unknown }
}
const operations = (group: Operations) =>
  Object.entries(group).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ path, method, operation })),
  )
const all = [...operations(document.paths), ...operations(document.webhooks)]

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document for swagger-parser', async () => {
    await expect(SwaggerParser.validate(structuredClone(document) as never)).resolves.toBeDefined()
  })

  it('names its server from SITE_URL, its licence and a contact', () => {
    expect(document.servers.map((s) => s.url)).toEqual(['https://jl.example.cn'])
    expect(document.info.license).toMatchObject({ identifier: 'CC-BY-4.0' })
    expect(document.info.contact).toMatchObject({ name: '丽水市市场监督管理局' })
  })

  it('gives every operation a unique camelCase operationId that starts with a verb', () => {
    const ids = all.map(({ path, method, operation }) => {
      expect(operation.operationId, `${method} ${path}`).toMatch(/^[a-z]+[A-Z][A-Za-z0-9]*$/)
      return operation.operationId
    })
    expect(new Set(ids).size).toBe(ids.length)
  })

  it('says what credentials each operation needs, and the console always needs a session', () => {
    for (const { path, method, operation } of all) {
      const where = `${method} ${path}`
      expect(operation.security, where).toBeDefined()
      if (!path.startsWith('/api/admin/') || path === '/api/admin/auth/sign-in') continue
      expect(operation.security, where).toEqual([
        method === 'get' ? { consoleSession: [] } : { consoleSession: [], consoleCsrfToken: [] },
      ])
    }
    expect(document.paths['/api/hotline/12345/events']!.post!.security).toEqual([
      { hotlineEventSignature: [] },
    ])
  })

  it('shows an example of every request body', () => {
    for (const { path, method, operation } of all) {
      for (const [type, media] of Object.entries(operation.requestBody?.content ?? {})) {
        expect(media.example ?? media.examples, `${method} ${path} ${type}`).toBeDefined()
      }
    }
  })
})
