import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CaseDetail } from '../../api/services/admin/cases/schemas.ts'
import { openWarningCount } from '../../api/services/admin/warnings/read.ts'
import type {
  ThresholdList,
  WarningDetail,
  WarningList,
} from '../../api/services/admin/warnings/schemas.ts'
import { signedInOperator, type TestOperator } from '../support/operators.ts'
import { insertWarning } from '../support/warnings-console.ts'
import {
  casesWorld,
  countyA,
  countyB,
  fileCase,
  type CasesWorld,
  type Headers,
} from './admin-cases-support.ts'

/**
 * The warnings console (issue 24, item 1): scope and order of the list, a warning's evidence
 * without any resident's data, acknowledge / handle / dismiss with their state machine, version
 * checks, county authorization and audit entries, and the fixed thresholds.
 */

let w: CasesWorld
let viewer: TestOperator
let handlerA: TestOperator
let handlerB: TestOperator
let admin: TestOperator
/** The resident values of the county A cases, none of which a warning page may show. */
const resident = {
  name: '欧阳预警',
  phone: '13655557777',
  description: '预警测试：秤盘下面贴了磁铁，一斤只有七两半。',
}
let casesA: { id: string; trackingNo: string }[]

const json = (body: unknown, headers: Headers): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify(body),
})

const list = async (as: TestOperator, query = '') => {
  const res = await w.app.request(`/api/admin/warnings${query}`, { headers: as.headers })
  expect(res.status).toBe(200)
  return (await res.json()) as WarningList
}

const act = (as: TestOperator, id: string, body: Record<string, unknown>) =>
  w.app.request(`/api/admin/warnings/${id}/actions`, json(body, as.headers))

const stateOf = async (id: string) =>
  await w.t.deps.db
    .selectFrom('warnings')
    .select(['state', 'version', 'action', 'closingNote'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow()

const auditOfWarning = (id: string) =>
  w.t.deps.db
    .selectFrom('auditLog')
    .select(['action', 'username', 'detail'])
    .where('action', 'like', 'warning.%')
    .where(sql<string>`detail ->> 'warningId'`, '=', id)
    .orderBy('id')
    .execute()

beforeAll(async () => {
  w = await casesWorld()
  viewer = await signedInOperator(w.t.deps, 'viewer')
  handlerA = await signedInOperator(w.t.deps, 'county_handler', countyA)
  handlerB = await signedInOperator(w.t.deps, 'county_handler', countyB)
  admin = await signedInOperator(w.t.deps, 'city_admin')
  casesA = []
  for (let i = 0; i < 3; i++) {
    const filed = await fileCase(w.app, w.t, {
      name: resident.name,
      phone: resident.phone.replace(/7$/, String(i)),
      description: resident.description,
    })
    casesA.push({ id: filed.id, trackingNo: filed.trackingNo })
  }
})

afterAll(() => w.stop())

describe('the warnings list', () => {
  it('shows a county handler its county and the city-wide warnings, open ones first', async () => {
    const db = w.t.deps.db
    const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000)
    const closedSevere = await insertWarning(db, {
      countyCode: countyA,
      severity: 3,
      state: 'handled',
      firedAt: at(1),
    })
    const openMild = await insertWarning(db, { countyCode: countyA, severity: 1, firedAt: at(2) })
    const openSevereOld = await insertWarning(db, {
      countyCode: countyA,
      severity: 3,
      firedAt: at(60),
    })
    const openSevereNew = await insertWarning(db, {
      countyCode: null,
      subjectKind: 'instrument',
      subjectLabel: '电子计价秤',
      severity: 3,
      state: 'acknowledged',
      firedAt: at(5),
    })
    const otherCounty = await insertWarning(db, { countyCode: countyB, severity: 3 })

    const ids = (await list(handlerA)).items.map((i) => i.id)
    const mine = [openSevereNew, openSevereOld, openMild, closedSevere]
    expect(ids.filter((id) => mine.includes(id))).toEqual(mine)
    expect(ids).not.toContain(otherCounty)

    const all = (await list(admin)).items.map((i) => i.id)
    expect(all).toContain(otherCounty)
    const onlyB = (await list(admin, `?county=${countyB}`)).items.map((i) => i.id)
    expect(onlyB).toContain(otherCounty)
    expect(onlyB).not.toContain(openMild)
    const closed = (await list(handlerA, '?state=handled')).items.map((i) => i.id)
    expect(closed).toContain(closedSevere)
    expect(closed).not.toContain(openMild)

    const refused = await w.app.request(`/api/admin/warnings?county=${countyB}`, {
      headers: handlerA.headers,
    })
    expect(refused.status).toBe(403)
  })

  it('counts the open and acknowledged warnings in scope for the navigation', async () => {
    const before = await openWarningCount({ ctx: w.t.deps, operator: handlerB.operator })
    const id = await insertWarning(w.t.deps.db, { countyCode: countyB })
    await insertWarning(w.t.deps.db, { countyCode: countyB, state: 'dismissed' })
    expect(await openWarningCount({ ctx: w.t.deps, operator: handlerB.operator })).toBe(before + 1)
    expect((await list(handlerB)).openCount).toBe(before + 1)
    await act(admin, id, { action: 'dismiss', version: 1, reason: '测试用' })
    expect(await openWarningCount({ ctx: w.t.deps, operator: handlerB.operator })).toBe(before)
  })

  it('refuses a state that is not one, in Chinese', async () => {
    const res = await w.app.request('/api/admin/warnings?state=closed', {
      headers: handlerA.headers,
    })
    expect(res.status).toBe(400)
    expect(await res.text()).toContain('请从列表中选择预警状态')
  })
})

describe('a warning', () => {
  it('lists its cases by tracking number and never a resident’s name, phone or words', async () => {
    const id = await insertWarning(w.t.deps.db, {
      countyCode: countyA,
      complaintIds: casesA.map((c) => c.id),
    })
    const res = await w.app.request(`/api/admin/warnings/${id}`, { headers: handlerA.headers })
    expect(res.status).toBe(200)
    const text = await res.text()
    const view = JSON.parse(text) as WarningDetail
    expect(view.cases.map((c) => c.trackingNo).sort()).toEqual(
      casesA.map((c) => c.trackingNo).sort(),
    )
    expect(view.cases[0]).toMatchObject({ categoryName: '缺斤短两', statusName: '已接收' })
    for (const value of [resident.name, resident.phone.slice(0, 10), resident.description]) {
      expect(text).not.toContain(value)
    }
  })

  it('answers another county’s warning as an unknown one', async () => {
    const id = await insertWarning(w.t.deps.db, { countyCode: countyA })
    const res = await w.app.request(`/api/admin/warnings/${id}`, { headers: handlerB.headers })
    expect(res.status).toBe(404)
    const unknown = await w.app.request('/api/admin/warnings/999999999', {
      headers: handlerB.headers,
    })
    expect(unknown.status).toBe(404)
  })

  it('is shown on the pages of its cases', async () => {
    const id = await insertWarning(w.t.deps.db, {
      countyCode: countyA,
      subjectLabel: '案件页测试摊位',
      complaintIds: [casesA[0]!.id],
    })
    const res = await w.app.request(`/api/admin/cases/${casesA[0]!.id}`, {
      headers: handlerA.headers,
    })
    const detail = (await res.json()) as CaseDetail
    expect(detail.warnings).toContainEqual(
      expect.objectContaining({ id, subjectLabel: '案件页测试摊位', stateName: '待处置' }),
    )
  })
})

describe('acting on a warning', () => {
  it('goes open → acknowledged → handled, and a handled warning is final', async () => {
    const id = await insertWarning(w.t.deps.db, { countyCode: countyA })
    const ack = await act(handlerA, id, { action: 'acknowledge', version: 1 })
    expect(ack.status).toBe(200)
    expect(((await ack.json()) as WarningDetail).state).toBe('acknowledged')

    const again = await act(handlerA, id, { action: 'acknowledge', version: 2 })
    expect(again.status).toBe(409)

    const handled = await act(handlerA, id, {
      action: 'handle',
      version: 2,
      handling: 'inspection',
      note: '12 月 8 日对该摊位开展衡器专项检查。',
    })
    expect(handled.status).toBe(200)
    expect(await stateOf(id)).toEqual({
      state: 'handled',
      version: 3,
      action: 'inspection',
      closingNote: '12 月 8 日对该摊位开展衡器专项检查。',
    })

    for (const body of [
      { action: 'dismiss', version: 3, reason: '改为排除' },
      { action: 'acknowledge', version: 3 },
      { action: 'handle', version: 3, handling: 'other' },
    ]) {
      const res = await act(admin, id, body)
      expect(res.status).toBe(409)
      expect(await res.text()).toContain('已处置完毕，不能再更改')
    }
    expect((await stateOf(id)).version).toBe(3)

    const audit = await auditOfWarning(id)
    expect(audit.map((a) => a.action)).toEqual(['warning.acknowledge', 'warning.handle'])
    expect(audit[0]).toMatchObject({
      username: handlerA.operator.username,
      detail: { warningId: id, from: 'open', to: 'acknowledged', version: 2 },
    })
    expect(audit[1]!.detail).toMatchObject({
      from: 'acknowledged',
      to: 'handled',
      handling: 'inspection',
    })
  })

  it('dismisses an open warning only with a reason, and then it is final', async () => {
    const id = await insertWarning(w.t.deps.db, { countyCode: countyA })
    const bare = await act(handlerA, id, { action: 'dismiss', version: 1, reason: '  ' })
    expect(bare.status).toBe(400)
    expect(await bare.text()).toContain('请填写排除原因')
    const noHandling = await act(handlerA, id, { action: 'handle', version: 1 })
    expect(noHandling.status).toBe(400)
    expect(await noHandling.text()).toContain('请选择处置方式')
    expect((await stateOf(id)).state).toBe('open')

    const res = await act(handlerA, id, {
      action: 'dismiss',
      version: 1,
      reason: '同一投诉人重复提交，不构成聚集。',
    })
    expect(res.status).toBe(200)
    expect(await stateOf(id)).toMatchObject({
      state: 'dismissed',
      closingNote: '同一投诉人重复提交，不构成聚集。',
    })
    const after = await act(handlerA, id, { action: 'handle', version: 2, handling: 'other' })
    expect(after.status).toBe(409)
    expect((await auditOfWarning(id)).map((a) => a.action)).toEqual(['warning.dismiss'])
  })

  it('refuses a version someone else has moved past, and one of two racing actions', async () => {
    const id = await insertWarning(w.t.deps.db, { countyCode: countyA })
    const stale = await act(handlerA, id, { action: 'acknowledge', version: 7 })
    expect(stale.status).toBe(409)
    expect(await stale.text()).toContain('已被他人办理')
    expect((await stateOf(id)).version).toBe(1)

    const racing = await Promise.all([
      act(handlerA, id, { action: 'handle', version: 1, handling: 'merged' }),
      act(admin, id, { action: 'dismiss', version: 1, reason: '与另一条预警重复' }),
    ])
    expect(racing.map((r) => r.status).sort()).toEqual([200, 409])
    expect((await stateOf(id)).version).toBe(2)
    expect(await auditOfWarning(id)).toHaveLength(1)
  })

  it('lets only its county’s handlers and city administrators act; a viewer reads', async () => {
    const id = await insertWarning(w.t.deps.db, { countyCode: countyA })
    expect((await act(viewer, id, { action: 'acknowledge', version: 1 })).status).toBe(403)
    expect((await act(handlerB, id, { action: 'acknowledge', version: 1 })).status).toBe(404)
    const read = await w.app.request(`/api/admin/warnings/${id}`, { headers: viewer.headers })
    expect(((await read.json()) as WarningDetail).mayAct).toBe(false)
    expect((await stateOf(id)).state).toBe('open')
    expect((await act(admin, id, { action: 'acknowledge', version: 1 })).status).toBe(200)
  })

  it('leaves a city-wide warning to city administrators: a county handler only reads it', async () => {
    const id = await insertWarning(w.t.deps.db, { countyCode: null, subjectKind: 'instrument' })
    const seen = await w.app.request(`/api/admin/warnings/${id}`, { headers: handlerA.headers })
    expect(seen.status).toBe(200)
    expect(((await seen.json()) as WarningDetail).mayAct).toBe(false)
    const refused = await act(handlerA, id, { action: 'acknowledge', version: 1 })
    expect(refused.status).toBe(403)
    expect(await refused.text()).toContain('由市局统一确认和处置')
    expect((await act(admin, id, { action: 'acknowledge', version: 1 })).status).toBe(200)
  })
})

describe('the fixed thresholds', () => {
  const set = (as: TestOperator, body: Record<string, unknown>) =>
    w.app.request('/api/admin/warnings/thresholds', json(body, as.headers))

  it('are set, replaced and removed by a city administrator, each change audited', async () => {
    const first = await set(admin, {
      subjectKind: 'address',
      county: countyA,
      windowHours: 48,
      minCount: 5,
      severity: 2,
    })
    expect(first.status).toBe(200)
    const again = await set(admin, {
      subjectKind: 'address',
      county: countyA,
      windowHours: 24,
      minCount: 4,
      severity: 3,
    })
    const items = ((await again.json()) as ThresholdList).items.filter(
      (i) => i.subjectKind === 'address' && i.countyCode === countyA,
    )
    expect(items).toHaveLength(1)
    expect(items[0]).toMatchObject({
      windowHours: 24,
      minCount: 4,
      severity: 3,
      countyName: '莲都区',
    })

    const cityWide = await set(admin, {
      subjectKind: 'address',
      windowHours: 72,
      minCount: 8,
      severity: 1,
    })
    const listed = ((await cityWide.json()) as ThresholdList).items.filter(
      (i) => i.subjectKind === 'address',
    )
    expect(listed.map((i) => i.countyName)).toEqual(['全市', '莲都区'])

    const removed = await w.app.request(`/api/admin/warnings/thresholds/${items[0]!.id}`, {
      method: 'DELETE',
      headers: admin.headers,
    })
    expect(removed.status).toBe(200)
    const left = ((await removed.json()) as ThresholdList).items.filter(
      (i) => i.subjectKind === 'address',
    )
    expect(left.map((i) => i.countyName)).toEqual(['全市'])

    const audit = await w.t.deps.db
      .selectFrom('auditLog')
      .select(['action', 'detail'])
      .where('action', 'like', 'warning.threshold%')
      .orderBy('id')
      .execute()
    expect(audit.map((a) => a.action)).toEqual([
      'warning.threshold_set',
      'warning.threshold_set',
      'warning.threshold_set',
      'warning.threshold_removed',
    ])
    expect(audit[1]!.detail).toMatchObject({
      countyCode: countyA,
      minCount: 4,
      before: { windowHours: 48, minCount: 5, severity: 2 },
    })
  })

  it('refuse values out of range with a message naming the field', async () => {
    const res = await set(admin, {
      subjectKind: 'business',
      windowHours: 0,
      minCount: 1,
      severity: 4,
    })
    expect(res.status).toBe(400)
    const body = (await res.json()) as { error: { details: { field: string; message: string }[] } }
    const messages = Object.fromEntries(body.error.details.map((d) => [d.field, d.message]))
    expect(messages).toEqual({
      windowHours: '统计时段至少 1 小时',
      minCount: '触发数量至少为 2 件，1 件投诉不构成聚集',
      severity: '请选择预警等级',
    })
  })

  it('are for city administrators only', async () => {
    for (const as of [viewer, handlerA]) {
      const res = await set(as, {
        subjectKind: 'business',
        windowHours: 24,
        minCount: 3,
        severity: 1,
      })
      expect(res.status).toBe(403)
      expect(await res.text()).toContain('只有市局管理员可以设置预警阈值')
    }
  })
})
