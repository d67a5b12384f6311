import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { beijingDate } from '../../api/domain/beijing-time.ts'
import { creditRecomputeTopic } from '../../api/domain/credit.ts'
import { loadCreditRecord } from '../../db/queries/credit-record.ts'
import { installDeps, uninstallDeps } from '../../server/deps.ts'
import { handleVisitRequest } from '../../site/lib/admin/visits-page.ts'
import type { ConsoleRequest } from '../../site/lib/admin/session.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { signedInOperator, type TestOperator } from '../support/operators.ts'
import { insertDrawnVisit } from '../support/visits.ts'
import { cameraCanary, contains, exifTiff, jpeg } from '../unit/photos-fixtures.ts'

const countyA = '331102' // 莲都区
const countyB = '331121' // 青田县

let t: TestContext
let app: ReturnType<typeof createApp>
let inspector1: TestOperator
let inspector2: TestOperator
let inspector3: TestOperator
let handlerB: TestOperator
let viewer: TestOperator
let admin: TestOperator

interface VisitView {
  id: string
  status: string
  result: string | null
  version: number
  visitedOn: string | null
  recordedAt: string | null
  publishedAt: string | null
  findings: string
  mayEdit: boolean
  inspectors: Array<{ id: string; present: boolean }>
  instruments: Array<{ kind: string; passed: boolean; measuredError: string }>
  photos: Array<{ id: string; url: string }>
}

interface ErrorBody {
  error: { code: string; message: string; details?: unknown }
}

const today = () => beijingDate()

/** A failed fuel-dispenser visit as an inspector enters it (加油机 1 台超差). */
function failedDispenser(version: number, extra: Record<string, unknown> = {}) {
  return {
    version,
    visitedOn: today(),
    inspectorIds: [inspector1.operator.id, inspector2.operator.id],
    instruments: [
      {
        kind: '加油机',
        makerModel: '正星 ZX-2260',
        serialNo: 'ZX2024-0091',
        verificationValid: true,
        passed: false,
        measuredError: '-0.45%',
      },
      {
        kind: '加油机',
        makerModel: '正星 ZX-2260',
        serialNo: 'ZX2024-0092',
        verificationValid: true,
        passed: true,
        measuredError: '-0.12%',
      },
    ],
    findings: '2 号枪示值误差超出最大允许误差 ±0.3%。',
    result: 'fail',
    rectificationDue: '2099-01-31',
    ...extra,
  }
}

async function save(as: TestOperator, visitId: string, body: unknown) {
  return app.request(`/api/admin/visits/${visitId}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...as.headers },
    body: JSON.stringify(body),
  })
}

async function read(as: TestOperator, visitId: string) {
  const res = await app.request(`/api/admin/visits/${visitId}`, { headers: as.headers })
  return { status: res.status, view: (await res.json()) as VisitView }
}

async function newVisit() {
  return insertDrawnVisit(t.deps.db, {
    countyCode: countyA,
    inspectorIds: [inspector1.operator.id, inspector2.operator.id],
  })
}

beforeAll(async () => {
  t = await createTestContext()
  app = createApp(t.deps)
  installDeps(t.deps)
  inspector1 = await signedInOperator(t.deps, 'county_handler', countyA)
  inspector2 = await signedInOperator(t.deps, 'county_handler', countyA)
  inspector3 = await signedInOperator(t.deps, 'county_handler', countyA)
  handlerB = await signedInOperator(t.deps, 'county_handler', countyB)
  viewer = await signedInOperator(t.deps, 'viewer')
  admin = await signedInOperator(t.deps, 'city_admin')
})

afterAll(async () => {
  uninstallDeps()
  await t.cleanup()
})

describe('recording a drawn visit', () => {
  it('records a failed fuel dispenser: public at once, audited, the grade recomputed', async () => {
    const visit = await newVisit()
    const before = await read(inspector1, visit.visitId)
    expect(before.status).toBe(200)
    expect(before.view).toMatchObject({ status: 'planned', version: 0, mayEdit: true })

    const res = await save(inspector1, visit.visitId, failedDispenser(0))
    expect(res.status).toBe(200)
    const view = (await res.json()) as VisitView
    expect(view).toMatchObject({ status: 'rectifying', result: 'fail', version: 1 })
    expect(view.recordedAt).not.toBeNull()
    expect(view.publishedAt).toBe(view.recordedAt)
    expect(view.instruments.map((i) => i.measuredError)).toEqual(['-0.45%', '-0.12%'])
    expect(view.inspectors.every((i) => i.present)).toBe(true)

    const record = await loadCreditRecord(t.deps.db, visit.uscc, today())
    expect(record.inspections).toHaveLength(1)
    expect(record.inspections[0]).toMatchObject({
      kind: 'fuel_dispenser',
      result: 'fail',
      instrumentsChecked: 2,
      instrumentsFailed: 1,
      rectificationDue: '2099-01-31',
    })

    const audit = await t.deps.db
      .selectFrom('auditLog')
      .select(['action', 'enterpriseUscc', 'detail', 'username'])
      .where('enterpriseUscc', '=', visit.uscc)
      .execute()
    expect(audit).toEqual([
      expect.objectContaining({
        action: 'visit.recorded',
        username: inspector1.operator.username,
        detail: expect.objectContaining({
          visitId: visit.visitId,
          result: 'fail',
          failed: 1,
        }) as unknown,
      }),
    ])
    const queued = await t.deps.db
      .selectFrom('outbox')
      .select(['topic', 'aggregateKey'])
      .where('topic', '=', creditRecomputeTopic)
      .where('aggregateKey', '=', `credit:${visit.uscc}`)
      .execute()
    expect(queued).toHaveLength(1)
  })

  it('refuses a record whose result contradicts its instruments, and writes nothing', async () => {
    const visit = await newVisit()
    const res = await save(
      inspector1,
      visit.visitId,
      failedDispenser(0, { result: 'pass', rectificationDue: null }),
    )
    expect(res.status).toBe(400)
    const body = (await res.json()) as ErrorBody
    const fields = (body.error.details as Array<{ field: string }>).map((d) => d.field)
    expect(fields).toEqual(['result'])
    expect(body.error.message).toContain('不合格')
    const after = await read(inspector1, visit.visitId)
    expect(after.view).toMatchObject({ status: 'planned', version: 0, publishedAt: null })
  })

  it('fails a visit whose instrument passed but whose 强制检定 lapsed', async () => {
    const visit = await newVisit()
    const lapsed = failedDispenser(0, { result: 'pass', rectificationDue: null })
    lapsed.instruments = [{ ...lapsed.instruments[1]!, verificationValid: false }]
    const res = await save(inspector1, visit.visitId, lapsed)
    expect(res.status).toBe(400)
    const fields = ((await res.json()) as ErrorBody).error.details as Array<{ field: string }>
    expect(fields.map((d) => d.field)).toEqual(['result'])
  })

  it('asks for an order to rectify on a failed visit, two present inspectors, assigned ones', async () => {
    const visit = await newVisit()
    const missing = await save(
      inspector1,
      visit.visitId,
      failedDispenser(0, { rectificationDue: null }),
    )
    expect(missing.status).toBe(400)
    const first = ((await missing.json()) as ErrorBody).error.details as Array<{ field: string }>
    expect(first.map((d) => d.field)).toEqual(['rectificationDue'])

    const alone = await save(
      inspector1,
      visit.visitId,
      failedDispenser(0, { inspectorIds: [inspector1.operator.id] }),
    )
    expect(alone.status).toBe(400)
    const second = ((await alone.json()) as ErrorBody).error.details as Array<{ field: string }>
    expect(second.map((d) => d.field)).toEqual(['inspectorIds'])

    const stranger = await save(
      inspector1,
      visit.visitId,
      failedDispenser(0, { inspectorIds: [inspector1.operator.id, inspector3.operator.id] }),
    )
    expect(stranger.status).toBe(400)
    const third = ((await stranger.json()) as ErrorBody).error.details as Array<{ field: string }>
    expect(third.map((d) => d.field)).toEqual(['inspectorIds'])

    const future = await save(
      inspector1,
      visit.visitId,
      failedDispenser(0, { visitedOn: '2099-01-01' }),
    )
    expect(future.status).toBe(400)
    expect((await read(inspector1, visit.visitId)).view.version).toBe(0)
  })

  it('lets one of two simultaneous saves win and tells the other, with the visit as it is now', async () => {
    const visit = await newVisit()
    const [a, b] = await Promise.all([
      save(inspector1, visit.visitId, failedDispenser(0, { findings: '甲保存的发现' })),
      save(inspector2, visit.visitId, failedDispenser(0, { findings: '乙保存的发现' })),
    ])
    const statuses = [a.status, b.status].sort()
    expect(statuses).toEqual([200, 409])
    const [winner, loser] = a.status === 200 ? [a, b] : [b, a]
    const won = (await winner.json()) as VisitView
    const lost = (await loser.json()) as ErrorBody
    expect(lost.error.code).toBe('CONFLICT')
    expect(lost.error.message).toContain('已被他人保存')
    const current = (lost.error.details as { visit: VisitView }).visit
    expect(current.version).toBe(1)
    expect(current.findings).toBe(won.findings)
    const stored = await read(admin, visit.visitId)
    expect(stored.view.findings).toBe(won.findings)
    expect(stored.view.version).toBe(1)
    const audits = await t.deps.db
      .selectFrom('auditLog')
      .select('action')
      .where('enterpriseUscc', '=', visit.uscc)
      .execute()
    expect(audits).toHaveLength(1)
  })

  it('records the follow-up without a reason, but a correction of the published result only with one', async () => {
    const visit = await newVisit()
    expect((await save(inspector1, visit.visitId, failedDispenser(0))).status).toBe(200)

    const followUp = await save(
      inspector2,
      visit.visitId,
      failedDispenser(1, {
        followUpOn: today(),
        followUpResult: 'rectified',
        followUpNote: '已更换 2 号枪计量器，复检合格。',
      }),
    )
    expect(followUp.status).toBe(200)
    expect((await followUp.json()) as VisitView).toMatchObject({ status: 'closed', version: 2 })

    const unexplained = await save(
      inspector1,
      visit.visitId,
      failedDispenser(2, {
        findings: '改写后的发现',
        followUpOn: today(),
        followUpResult: 'rectified',
      }),
    )
    expect(unexplained.status).toBe(400)
    const fields = ((await unexplained.json()) as ErrorBody).error.details as Array<{
      field: string
    }>
    expect(fields.map((d) => d.field)).toEqual(['reason'])

    const explained = await save(
      inspector1,
      visit.visitId,
      failedDispenser(2, {
        findings: '2 号枪示值误差 -0.45%，超出最大允许误差。',
        followUpOn: today(),
        followUpResult: 'rectified',
        reason: '更正误差数值的写法',
      }),
    )
    expect(explained.status).toBe(200)
    const audit = await t.deps.db
      .selectFrom('auditLog')
      .select(['action', 'detail'])
      .where('enterpriseUscc', '=', visit.uscc)
      .orderBy('id')
      .execute()
    expect(audit.map((a) => a.action)).toEqual([
      'visit.recorded',
      'visit.followed_up',
      'visit.corrected',
    ])
    expect(audit[2]!.detail).toMatchObject({ reason: '更正误差数值的写法' })
  })

  it('masks a phone number written into the public findings', async () => {
    const visit = await newVisit()
    const res = await save(
      inspector1,
      visit.visitId,
      failedDispenser(0, { findings: '站长电话 13812345678，已告知整改要求。' }),
    )
    expect(res.status).toBe(200)
    const record = await loadCreditRecord(t.deps.db, visit.uscc, today())
    expect(record.inspections[0]!.findings).not.toContain('13812345678')
    expect(record.inspections[0]!.findings).toContain('138****5678')
  })

  it('lets viewers read but not write, and hides another county’s visit', async () => {
    const visit = await newVisit()
    const seen = await read(viewer, visit.visitId)
    expect(seen.status).toBe(200)
    expect(seen.view.mayEdit).toBe(false)
    expect((await save(viewer, visit.visitId, failedDispenser(0))).status).toBe(403)
    expect((await read(handlerB, visit.visitId)).status).toBe(404)
    expect((await save(handlerB, visit.visitId, failedDispenser(0))).status).toBe(404)
    // An inspector assigned from another county may still record the visit they were sent on.
    const crossCounty = await insertDrawnVisit(t.deps.db, {
      countyCode: countyA,
      inspectorIds: [handlerB.operator.id, inspector1.operator.id],
    })
    const own = await read(handlerB, crossCounty.visitId)
    expect(own.status).toBe(200)
    expect(own.view.mayEdit).toBe(true)
  })
})

describe('photos of instruments', () => {
  async function upload(as: TestOperator, visitId: string, files: File[]) {
    const form = new FormData()
    for (const file of files) form.append('photos', file)
    return app.request(`/api/admin/visits/${visitId}/photos`, {
      method: 'POST',
      headers: as.headers,
      body: form,
    })
  }

  it('stores a photo without its EXIF camera and GPS data, for the console only', async () => {
    const visit = await newVisit()
    const photo = jpeg({ exif: exifTiff() })
    expect(contains(photo.bytes, cameraCanary)).toBe(true)
    const res = await upload(inspector1, visit.visitId, [
      new File([Buffer.from(photo.bytes)], 'IMG_2044.jpg', { type: 'image/jpeg' }),
    ])
    expect(res.status).toBe(200)
    const view = (await res.json()) as VisitView
    expect(view.photos).toHaveLength(1)

    const row = await t.deps.db
      .selectFrom('visitPhotos')
      .select(['storageKey', 'contentType', 'sizeBytes'])
      .where('visitId', '=', visit.visitId)
      .executeTakeFirstOrThrow()
    const stored = await t.deps.photos.get(row.storageKey)
    expect(Buffer.from(stored!.bytes).equals(Buffer.from(photo.stripped))).toBe(true)
    expect(contains(stored!.bytes, cameraCanary)).toBe(false)

    const served = await app.request(view.photos[0]!.url.replace(/^\/api/, '/api'), {
      headers: inspector2.headers,
    })
    expect(served.status).toBe(200)
    expect(served.headers.get('cache-control')).toBe('no-store')
    expect(contains(new Uint8Array(await served.arrayBuffer()), cameraCanary)).toBe(false)
    expect((await app.request(view.photos[0]!.url, { headers: handlerB.headers })).status).toBe(404)
    expect((await app.request(view.photos[0]!.url)).status).toBe(401)
    // Nothing public names a visit's photos.
    const record = await loadCreditRecord(t.deps.db, visit.uscc, today())
    expect(JSON.stringify(record)).not.toContain(row.storageKey)
  })

  it('refuses a file that is not a photo, and a viewer', async () => {
    const visit = await newVisit()
    const fake = await upload(inspector1, visit.visitId, [
      new File(['<html>not a photo</html>'], 'a.jpg', { type: 'image/jpeg' }),
    ])
    expect(fake.status).toBe(400)
    expect(((await fake.json()) as ErrorBody).error.message).toMatch(/不是 JPEG/)
    const photo = jpeg({})
    const asViewer = await upload(viewer, visit.visitId, [
      new File([Buffer.from(photo.bytes)], 'b.jpg', { type: 'image/jpeg' }),
    ])
    expect(asViewer.status).toBe(403)
    const rows = await t.deps.db
      .selectFrom('visitPhotos')
      .select('id')
      .where('visitId', '=', visit.visitId)
      .execute()
    expect(rows).toHaveLength(0)
  })
})

describe('the visit page', () => {
  const consoleOf = (as: TestOperator): ConsoleRequest => ({
    sessionToken: as.headers.cookie.split('=')[1],
    csrfToken: undefined,
    origin: null,
    host: 'console.example',
    changesState: false,
    clientAddress: '192.0.2.20',
    userAgent: 'test',
    secure: false,
  })

  function post(visitId: string, as: TestOperator, fields: Array<[string, string]>) {
    const form = new FormData()
    form.set('csrf', as.headers['x-csrf-token'])
    for (const [k, v] of fields) form.append(k, v)
    const url = new URL(`http://console.example/admin/visits/${visitId}`)
    return handleVisitRequest({
      request: new Request(url, { method: 'POST', body: form }),
      url,
      id: visitId,
      console: consoleOf(as),
    })
  }

  /** The form as typed on a phone: the second row shown holds the dispenser, the first is empty. */
  const typed = (version: string): Array<[string, string]> => [
    ['version', version],
    ['rows', '3'],
    ['visitedOn', today()],
    ['inspectorIds', inspector1.operator.id],
    ['inspectorIds', inspector2.operator.id],
    ['instruments.1.kind', '加油机'],
    ['instruments.1.serialNo', 'ZX2024-0091'],
    ['instruments.1.verificationValid', 'yes'],
    ['instruments.1.errorValue', '-0.45'],
    ['instruments.1.errorUnit', '%'],
    ['findings', '2 号枪超差。'],
    ['result', 'fail'],
    ['rectificationDue', '2099-01-31'],
  ]

  it('adds three rows and keeps everything typed, saving nothing', async () => {
    const visit = await newVisit()
    const page = await post(visit.visitId, inspector1, [...typed('0'), ['intent', 'rows']])
    expect(page.kind).toBe('shown')
    if (page.kind !== 'shown') return
    expect(page.form.rows).toHaveLength(6)
    expect(page.form.rows[1]).toMatchObject({ kind: '加油机', errorValue: '-0.45' })
    expect(page.form.findings).toBe('2 号枪超差。')
    expect(page.form.inspectorIds).toEqual([inspector1.operator.id, inspector2.operator.id])
    expect(page.view.version).toBe(0)
  })

  it('points a refusal at the row on the page and keeps what was typed', async () => {
    const visit = await newVisit()
    const page = await post(visit.visitId, inspector1, [...typed('0'), ['intent', 'save']])
    expect(page.kind).toBe('shown')
    if (page.kind !== 'shown') return
    expect(page.status).toBe(400)
    // The dispenser's 合格/不合格 was not chosen: it is the second row shown, sent first.
    expect(page.refusal?.problems.map((p) => p.field)).toEqual(['instruments.1.passed'])
    expect(page.form.rows[1]!.serialNo).toBe('ZX2024-0091')
    expect(page.form.rectificationDue).toBe('2099-01-31')
  })

  it('saves and sends the browser back to the page; a stale form shows the colleague’s save', async () => {
    const visit = await newVisit()
    const fields = [...typed('0'), ['instruments.1.passed', 'no'] as [string, string]]
    const saved = await post(visit.visitId, inspector1, [...fields, ['intent', 'save']])
    expect(saved).toEqual({
      kind: 'redirect',
      location: `/admin/visits/${visit.visitId}?done=saved`,
    })
    const stale = await post(visit.visitId, inspector2, [...fields, ['intent', 'save']])
    expect(stale.kind).toBe('shown')
    if (stale.kind !== 'shown') return
    expect(stale.status).toBe(409)
    expect(stale.refusal?.stale).toBe(true)
    expect(stale.refusal?.message).toContain('已被他人保存')
    expect(stale.view.version).toBe(1)
    expect(stale.form.rows[0]).toMatchObject({ kind: '加油机', passed: 'no' })
  })

  it('answers an id that is no visit of the operator’s with not found', async () => {
    const visit = await newVisit()
    const url = new URL(`http://console.example/admin/visits/${visit.visitId}`)
    const page = await handleVisitRequest({
      request: new Request(url),
      url,
      id: visit.visitId,
      console: consoleOf(handlerB),
    })
    expect(page.kind).toBe('missing')
    const malformed = await handleVisitRequest({
      request: new Request(url),
      url,
      id: 'abc',
      console: consoleOf(inspector1),
    })
    expect(malformed.kind).toBe('missing')
  })
})
