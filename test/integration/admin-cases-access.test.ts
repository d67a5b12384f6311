import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ComplaintDocument } from '../../api/search/complaint-indexer.ts'
import { signedInOperator, type TestOperator } from '../support/operators.ts'
import {
  act,
  auditOf,
  caseOf,
  casesWorld,
  countyA,
  countyB,
  fileCaseWithPhoto,
  getCase,
  queue,
  waitFor,
  type CasesWorld,
} from './admin-cases-support.ts'

let w: CasesWorld
let handlerA: TestOperator
let handlerB: TestOperator
let viewer: TestOperator
let admin: TestOperator
/** A 投诉 of county A with a photo, and one of county B with the same merchant name. */
let caseA: { id: string; trackingNo: string }
let caseB: { id: string; trackingNo: string }
let photoUrl: string

beforeAll(async () => {
  w = await casesWorld({ worker: true })
  handlerA = await signedInOperator(w.t.deps, 'county_handler', countyA)
  handlerB = await signedInOperator(w.t.deps, 'county_handler', countyB)
  viewer = await signedInOperator(w.t.deps, 'viewer')
  admin = await signedInOperator(w.t.deps, 'city_admin')
  caseA = await fileCaseWithPhoto(w.app, w.t, countyA)
  caseB = await fileCaseWithPhoto(w.app, w.t, countyB)
  photoUrl = (await caseOf(w.app, handlerA.headers, caseA.id)).photos[0]!.url
  // Both in the private index, so a search that leaves case A out does so on purpose.
  const index = w.t.deps.search.meili.index<ComplaintDocument>(
    w.t.deps.search.indexName('complaints'),
  )
  await waitFor(
    () => index.search('带照片的摊位'),
    (r) => r.hits.length === 2,
  )
})
afterAll(() => w.stop())

describe('a county B handler and a county A case', () => {
  it('gets 404 for the case, exactly as for a case that does not exist', async () => {
    const res = await getCase(w.app, handlerB.headers, caseA.id)
    expect(res.status).toBe(404)
    const body = await res.text()
    expect(body).not.toContain(caseA.trackingNo)
    const missing = await getCase(w.app, handlerB.headers, '999999999')
    expect(missing.status).toBe(404)
    const message = (b: string) => (JSON.parse(b) as { error: { message: string } }).error.message
    expect(message(body)).toBe(message(await missing.text()))
  })

  it('does not find it in the queue, by filters or by full text', async () => {
    const all = await queue(w.app, handlerB.headers)
    expect(all.status).toBe(200)
    expect(all.body.items.map((i) => i.id)).toEqual([caseB.id])
    expect(all.body.counts.received).toBe(1)

    const byNumber = await queue(w.app, handlerB.headers, { q: caseA.trackingNo })
    expect(byNumber.status).toBe(200)
    expect(byNumber.body.items).toEqual([])
    const byMerchant = await queue(w.app, handlerB.headers, { q: '带照片的摊位' })
    expect(byMerchant.body.items.map((i) => i.id)).toEqual([caseB.id])

    // The same searches find it for county A, so the index does hold it.
    const forA = await queue(w.app, handlerA.headers, { q: caseA.trackingNo })
    expect(forA.body.items.map((i) => i.id)).toEqual([caseA.id])
  })

  it('is refused (403) when it asks for county A, with or without text', async () => {
    for (const query of [{ county: countyA }, { county: countyA, q: caseA.trackingNo }]) {
      const res = await queue(w.app, handlerB.headers, query)
      expect(res.status).toBe(403)
      expect(JSON.stringify(res.body)).not.toContain(caseA.trackingNo)
    }
  })

  it('cannot load its photo, reveal its contact or act on it', async () => {
    const before = await auditOf(w.t, caseA.id)
    const photo = await w.app.request(photoUrl, { headers: handlerB.headers })
    expect(photo.status).toBe(404)
    expect(photo.headers.get('content-type')).toContain('application/json')
    const reveal = await w.app.request(`/api/admin/cases/${caseA.id}/reveal`, {
      method: 'POST',
      headers: handlerB.headers,
    })
    expect(reveal.status).toBe(404)
    expect(
      (await act(w.app, handlerB.headers, caseA.id, { action: 'accept', version: 1 })).status,
    ).toBe(404)
    // The refused attempts left no trace.
    expect(await auditOf(w.t, caseA.id)).toEqual(before)
    // The county A handler's look at the case did.
    expect((await caseOf(w.app, handlerA.headers, caseA.id)).version).toBe(1)
    const added = (await auditOf(w.t, caseA.id)).slice(before.length)
    expect(added.map(({ action, username }) => ({ action, username }))).toEqual([
      { action: 'case.viewed', username: handlerA.operator.username },
    ])
  })
})

describe('the case page for the county A handler', () => {
  it('masks the contact until an audited reveal', async () => {
    const view = await caseOf(w.app, handlerA.headers, caseA.id)
    expect(view.contact.name).toBe('赵**')
    expect(view.contact.phone).toMatch(/^139\*{4}\d{4}$/)
    const res = await w.app.request(`/api/admin/cases/${caseA.id}/reveal`, {
      method: 'POST',
      headers: handlerA.headers,
    })
    expect(res.status).toBe(200)
    expect(res.headers.get('cache-control')).toBe('no-store')
    const contact = (await res.json()) as { name: string; phone: string }
    expect(contact.name).toBe('赵大海')
    expect(contact.phone).toMatch(/^139\d{8}$/)
    expect(contact.phone.slice(-4)).toBe(view.contact.phone!.slice(-4))
    const audit = (await auditOf(w.t, caseA.id)).filter((a) => a.action !== 'case.viewed')
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({
      action: 'case.pii_revealed',
      username: handlerA.operator.username,
      detail: { fields: ['name', 'phone'] },
    })
    expect(JSON.stringify(audit)).not.toContain(contact.phone)
  })

  it('serves the photo uncached, and records the view', async () => {
    const res = await w.app.request(photoUrl, { headers: handlerA.headers })
    expect(res.status).toBe(200)
    expect(res.headers.get('content-type')).toBe('image/jpeg')
    expect(res.headers.get('cache-control')).toBe('no-store')
    const bytes = new Uint8Array(await res.arrayBuffer())
    expect([bytes[0], bytes[1]]).toEqual([0xff, 0xd8])
    const audit = await auditOf(w.t, caseA.id)
    expect(audit.at(-1)).toMatchObject({ action: 'case.photo_viewed' })
  })

  it('refuses the photo to a request without a session', async () => {
    expect((await w.app.request(photoUrl)).status).toBe(401)
    expect((await w.app.request(`/api/admin/cases/${caseA.id}`)).status).toBe(401)
    expect((await w.app.request('/api/admin/cases')).status).toBe(401)
  })
})

describe('a viewer', () => {
  it('reads the case with personal data masked and no action offered', async () => {
    const view = await caseOf(w.app, viewer.headers, caseA.id)
    expect(view.contact.name).toBe('赵**')
    expect(view.contact.phone).toMatch(/^139\*{4}\d{4}$/)
    expect(view.allowedActions).toEqual([])
  })

  it('is refused the reveal (403) and every action, and nothing is recorded', async () => {
    const before = await auditOf(w.t, caseA.id)
    const reveal = await w.app.request(`/api/admin/cases/${caseA.id}/reveal`, {
      method: 'POST',
      headers: viewer.headers,
    })
    expect(reveal.status).toBe(403)
    expect(await reveal.text()).not.toContain('赵大海')
    const res = await act(w.app, viewer.headers, caseA.id, { action: 'accept', version: 1 })
    expect(res.status).toBe(403)
    expect(await auditOf(w.t, caseA.id)).toEqual(before)
    expect((await caseOf(w.app, viewer.headers, caseA.id)).status).toBe('received')
  })
})

describe('the city administrator', () => {
  it('sees both counties, and may narrow the queue to one', async () => {
    const all = await queue(w.app, admin.headers)
    expect(all.body.items.map((i) => i.id).sort()).toEqual([caseA.id, caseB.id].sort())
    const onlyB = await queue(w.app, admin.headers, { county: countyB, q: '带照片的摊位' })
    expect(onlyB.body.items.map((i) => i.id)).toEqual([caseB.id])
  })
})

describe('the API description', () => {
  it('documents the queue, case, reveal, action and photo routes', async () => {
    const res = await w.app.request('/api/openapi.json')
    expect(res.status).toBe(200)
    const doc = (await res.json()) as {
      paths: Record<string, unknown>
      components: { schemas: Record<string, unknown> }
    }
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/admin/cases',
        '/api/admin/cases/{id}',
        '/api/admin/cases/{id}/reveal',
        '/api/admin/cases/{id}/actions',
        '/api/admin/photos/{photoId}',
      ]),
    )
    expect(JSON.stringify(doc.components.schemas.CaseActionInput)).toContain('publicReply')
  })
})
