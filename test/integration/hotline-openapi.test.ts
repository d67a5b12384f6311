import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { complaintInputSchema } from '../../api/services/complaints/schemas.ts'
import { hotlineCallbackSchema, hotlineCallbackTypes } from '../../api/services/hotline/events.ts'
import { complaintCategories, quantityUnits } from '../../db/database.ts'
import { callbackExamples } from '../../site/lib/hotline-examples.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'

interface Operation {
  summary?: string
  description?: string
  requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> }
  responses: Record<string, unknown>
}
interface Document {
  openapi: string
  paths: Record<string, Record<string, Operation>>
  webhooks?: Record<string, Record<string, Operation>>
}

let t: TestContext
let doc: Document

beforeAll(async () => {
  t = await createTestContext()
  const res = await createApp(t.deps).request('/api/openapi.json')
  expect(res.status).toBe(200)
  doc = (await res.json()) as Document
})
afterAll(() => t.cleanup())

describe('the 12345 contract in /api/openapi.json', () => {
  it('describes the inbound events endpoint', () => {
    const post = doc.paths['/api/hotline/12345/events']?.post
    expect(post).toBeDefined()
    expect(Object.keys(post!.responses)).toEqual(expect.arrayContaining(['202', '400', '401']))
  })

  it('describes each of the five callbacks as an OpenAPI 3.1 webhook with its own body', () => {
    expect(doc.openapi).toBe('3.1.0')
    expect(Object.keys(doc.webhooks ?? {}).sort()).toEqual([...hotlineCallbackTypes].sort())
    for (const type of hotlineCallbackTypes) {
      const post = doc.webhooks![type]!.post!
      const schema = post.requestBody!.content['application/json']!.schema
      expect(schema.properties?.type, type).toMatchObject({ enum: [type] })
      expect(Object.keys(schema.properties ?? {}).sort()).toEqual([
        'detail',
        'occurred_at',
        'ticket_no',
        'type',
      ])
      expect(Object.keys(post.responses)).toEqual(['2XX'])
    }
  })

  it('matches the examples the vendor page shows', () => {
    for (const { example } of callbackExamples) {
      expect(doc.webhooks![example.type]).toBeDefined()
      expect(hotlineCallbackSchema.safeParse(example).success).toBe(true)
    }
  })
})

describe('the text of /api/openapi.json', () => {
  it('speaks of the product only, with no pointer to a note outside the repository', () => {
    const text = JSON.stringify(doc)
    expect(text).not.toMatch(/DESIGN\.md|STYLE\.md|\bsection \d|\bissue \d/i)
    expect(doc.paths['/api/hotline/12345/events']?.post?.description).toContain('/developers/12345')
  })

  it('names every field a complaint carries, and every category and unit it accepts', () => {
    const description = doc.paths['/api/complaints']?.post?.description ?? ''
    // `website` is the honeypot: people never see it, so the document does not name it.
    const fields = Object.keys(complaintInputSchema.shape).filter((f) => f !== 'website')
    expect(fields.length).toBeGreaterThan(10)
    for (const field of fields) expect(description, field).toContain(`\`${field}\``)
    for (const value of [...complaintCategories, ...quantityUnits]) {
      expect(description, value).toContain(`\`${value}\``)
    }
  })
})
