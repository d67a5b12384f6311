import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { acceptPhotos } from '../../api/photos/accept.ts'
import { fileDraft, saveStep } from '../../api/services/complaints/drafts/flow.ts'
import {
  draftLifetimeMs,
  readDraft,
  saveDraft,
  startDraft,
  storeDraftPhotos,
  sweepExpiredDrafts,
} from '../../api/services/complaints/drafts/store.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { jpeg } from '../unit/photos-fixtures.ts'

/**
 * The drafts of complaints filled in step by step (issue 23): sealed at rest, gone when they
 * expire together with their pending photos, and filed once however often they are submitted.
 */

let t: TestContext
beforeAll(async () => {
  t = await createTestContext()
})
afterAll(() => t.cleanup())

const phone = '13812345678'
const name = '王小明'

/** A step posted as the page's form posts it. */
function stepRequest(fields: Record<string, string>) {
  return new Request('http://localhost/complaints/steps/x', {
    method: 'POST',
    body: new URLSearchParams(fields),
  })
}

const yesterday = () =>
  new Date(Date.now() - 24 * 3600_000 + 8 * 3600_000).toISOString().slice(0, 16)

describe('a draft at rest', () => {
  it('keeps the name and phone sealed, and opens only with its own token', async () => {
    const token = await startDraft(t.deps)
    await saveDraft(t.deps, token, { values: { name, phone }, photos: [], done: ['about'] })
    const rows = await t.deps.db.selectFrom('complaintDrafts').selectAll().execute()
    for (const row of rows) {
      const stored = row.answersSealed.toString('latin1')
      expect(stored).not.toContain(phone)
      expect(row.answersSealed.includes(Buffer.from(name))).toBe(false)
      expect(row.tokenHash.includes(Buffer.from(token))).toBe(false)
    }
    expect((await readDraft(t.deps, token))?.values).toEqual({ name, phone })
    const other = await startDraft(t.deps)
    expect((await readDraft(t.deps, other))?.values).toEqual({})
    expect(
      await readDraft(
        t.deps,
        token.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
      ),
    ).toBe(undefined)
    expect(await readDraft(t.deps, 'not a token')).toBe(undefined)
  })

  it('cannot be opened when its sealed answers are moved to another draft', async () => {
    const first = await startDraft(t.deps)
    await saveDraft(t.deps, first, { values: { phone }, photos: [], done: [] })
    const second = await startDraft(t.deps)
    const rows = await t.deps.db
      .selectFrom('complaintDrafts')
      .select(['tokenHash', 'answersSealed', 'createdAt'])
      .orderBy('createdAt', 'desc')
      .limit(2)
      .execute()
    const [secondRow, firstRow] = rows
    await t.deps.db
      .updateTable('complaintDrafts')
      .set({ answersSealed: firstRow!.answersSealed })
      .where('tokenHash', '=', secondRow!.tokenHash)
      .execute()
    await expect(readDraft(t.deps, second)).rejects.toThrow(/failed authentication/)
  })
})

describe('an expired draft', () => {
  it('is no longer read, and the sweep deletes it with its photos but keeps live ones', async () => {
    const now = Date.now()
    const old = await startDraft(t.deps, new Date(now - draftLifetimeMs - 60_000))
    const live = await startDraft(t.deps)
    const photo = acceptPhotos([
      { name: '秤.jpg', declaredType: 'image/jpeg', bytes: jpeg().bytes },
    ])
    const [oldPhoto] = await storeDraftPhotos(t.deps, old, photo)
    const [livePhoto] = await storeDraftPhotos(t.deps, live, photo)
    expect(await t.deps.photos.get(oldPhoto!.key)).toBeDefined()

    expect(await readDraft(t.deps, old)).toBe(undefined)
    expect(await readDraft(t.deps, live)).toBeDefined()

    const swept = await sweepExpiredDrafts(t.deps)
    expect(swept.drafts).toBeGreaterThanOrEqual(1)
    expect(await t.deps.photos.get(oldPhoto!.key)).toBe(undefined)
    expect(await t.deps.photos.get(livePhoto!.key)).toBeDefined()
    const photoRows = await t.deps.db
      .selectFrom('complaintDraftPhotos')
      .select('storageKey')
      .execute()
    expect(photoRows.map((r) => r.storageKey)).toContain(livePhoto!.key)
    expect(photoRows.map((r) => r.storageKey)).not.toContain(oldPhoto!.key)
  })
})

describe('the steps and the check page', () => {
  it('check each step with the intake’s messages and file the draft once, with its photo', async () => {
    const ctx = t.deps
    const refused = await saveStep({
      ctx,
      input: { token: undefined, step: 'what', request: stepRequest({ kind: 'complaint' }) },
    })
    expect(refused.kind).toBe('refused')
    if (refused.kind !== 'refused') return
    expect(refused.problems.map((p) => p.field).sort()).toEqual(
      ['category', 'description', 'occurredAt'].sort(),
    )
    const token = refused.token
    const description = `买了一斤猪肉，回家复秤只有八两。（草稿 ${token.slice(0, 6)}）`
    const steps = [
      [
        'what',
        { kind: 'complaint', category: 'short_weight', occurredAt: yesterday(), description },
      ],
      ['where', { merchantName: '城东菜场 12 号摊位', county: '331102', address: '城东菜场' }],
      ['about', { name, phone, consent: 'on' }],
    ] as const
    for (const [step, fields] of steps) {
      const saved = await saveStep({ ctx, input: { token, step, request: stepRequest(fields) } })
      expect(saved.kind, step).toBe('saved')
    }
    // A 投诉 needs a phone: the about step says so in the intake's words.
    const noPhone = await saveStep({
      ctx,
      input: { token, step: 'about', request: stepRequest({ name, consent: 'on' }) },
    })
    expect(noPhone.kind === 'refused' && noPhone.problems).toEqual([
      { field: 'phone', message: '投诉需要留下电话，以便调解时联系您；不愿留名请选择“举报”。' },
    ])
    // The check page before the photo step was seen sends the resident there.
    expect(await fileDraft({ ctx, input: { token, clientAddress: '192.0.2.31' } })).toEqual({
      kind: 'unfinished',
      step: 'photos',
    })
    const form = new FormData()
    form.append('photos', new File([Buffer.from(jpeg().bytes)], '秤.jpg', { type: 'image/jpeg' }))
    const photos = await saveStep({
      ctx,
      input: {
        token,
        step: 'photos',
        request: new Request('http://localhost/complaints/steps/photos', {
          method: 'POST',
          body: form,
        }),
      },
    })
    expect(photos).toMatchObject({ kind: 'saved', goTo: 'check' })

    const filings = await Promise.all([
      fileDraft({ ctx, input: { token, clientAddress: '192.0.2.31' } }),
      fileDraft({ ctx, input: { token, clientAddress: '192.0.2.31' } }),
    ])
    filings.push(await fileDraft({ ctx, input: { token, clientAddress: '192.0.2.31' } }))
    const numbers = filings.map((f) => (f.kind === 'filed' ? f.receipt.trackingNo : f.kind))
    expect(new Set(numbers).size).toBe(1)
    const stored = await ctx.db
      .selectFrom('complaints as c')
      .leftJoin('complaintPhotos as p', 'p.complaintId', 'c.id')
      .select(['c.trackingNo', (eb) => eb.fn.count<string>('p.id').as('photos')])
      .where('c.description', '=', description)
      .groupBy('c.trackingNo')
      .execute()
    expect(stored).toEqual([{ trackingNo: numbers[0], photos: '1' }])
    expect(t.logLines.join('\n')).not.toContain(phone)
  })
})
