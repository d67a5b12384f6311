import { createHash, randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { applyEnterpriseRecords } from '../../api/services/enterprises/apply.ts'
import { generateDemoRecords } from '../../scripts/demo/generate.ts'
import { encryptField } from '../../api/privacy/pii.ts'
import { sealPayee } from '../../api/privacy/reward-payee.ts'
import { newWebhookId } from '../../api/hotline/signature.ts'
import { insertHotlineCase } from '../support/hotline.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { signedInOperator, type TestOperator } from '../support/operators.ts'
import { jpeg } from '../unit/photos-fixtures.ts'
import { insertDrawnVisit } from '../support/visits.ts'
import { insertWarning } from '../support/warnings-console.ts'

/**
 * The console's access matrix (issue 4, acceptance 2): every /api/admin route, for every kind of
 * caller. The routes come from the app itself, so a route added without a row here fails the
 * test instead of going unchecked.
 */

const countyA = '331102' // 莲都区
const countyB = '331121' // 青田县
const callers = ['signedOut', 'viewer', 'handlerA', 'handlerB', 'admin'] as const
type Caller = (typeof callers)[number]

/** A number is the exact status expected; 'allowed' is any answer that is not a refusal. */
type Expected = number | 'allowed'
const refusals = [401, 403, 404]

interface Fixtures {
  caseA: { id: string; trackingNo: string; photoId: string }
  caseB: { id: string }
  uscc: string
  /** An account the admin's unlock row acts on (locked again before each call). */
  lockedOperatorId: string
  /** A county handler the admin's scope row moves to the other county on each call. */
  movedOperatorId: string
  /** A hotline callback the admin's retry row acts on (dead again before each call). */
  deadCallbackId: string
  /** A rejected inbound event the admin's retry row acts on (rejected again before each call). */
  rejectedWebhookId: string
  /** A drawn visit in county A, handler A one of its two inspectors, with one photo. */
  visitA: { id: string; photoId: string; inspectorIds: string[] }
  /** A business of county A with a credit record (commitments and objections act on it). */
  recordUscc: string
  /** A county A campaign (专项检查), owned by county A. */
  campaignA: string
  /** A 行政处罚 of county A (issue 22). */
  penaltyA: { id: string; uscc: string }
  /** An open warning of county A (issue 24). */
  warningA: string
}

interface Call {
  path: string
  init?: RequestInit
}

interface Row {
  request: (fx: Fixtures, as: Caller) => Call | Promise<Call>
  expect: Record<Caller, Expected>
}

let t: TestContext
let app: ReturnType<typeof createApp>
let fx: Fixtures
const sessions = {} as Record<Exclude<Caller, 'signedOut'>, TestOperator>

const headersOf = (as: Caller): Record<string, string> =>
  as === 'signedOut' ? {} : { ...sessions[as].headers }

const json = (body: unknown) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
})

/** The case's current version as its county's handler reads it. */
async function versionOf(caseId: string): Promise<number> {
  const res = await app.request(`/api/admin/cases/${caseId}`, {
    headers: headersOf('admin'),
  })
  return ((await res.json()) as { version: number }).version
}

let freshCases = 0
/** A new open 投诉 of county A, for a merge into case A to take. */
async function freshCaseOfA(): Promise<string> {
  const res = await app.request(
    '/api/complaints',
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: 'complaint',
        category: 'short_weight',
        county: countyA,
        merchantName: '矩阵测试摊位',
        address: '城东菜场 12 号',
        occurredAt: '2026-11-20T09:30',
        description: `买了一斤猪肉，回家复秤只有八两。（合并 ${++freshCases}）`,
        name: '王小明',
        phone: `1381234${String(freshCases).padStart(4, '0')}`,
        consent: true,
      }),
    },
    // An address of its own each time: the per-address limit is not what this row checks.
    { clientAddress: `198.51.100.${freshCases}` },
  )
  expect(res.status).toBe(201)
  const { trackingNo } = (await res.json()) as { trackingNo: string }
  const row = await t.deps.db
    .selectFrom('complaints')
    .select('id')
    .where('trackingNo', '=', trackingNo)
    .executeTakeFirstOrThrow()
  return row.id
}

async function visitVersion(visitId: string): Promise<number> {
  const res = await app.request(`/api/admin/visits/${visitId}`, { headers: headersOf('admin') })
  return ((await res.json()) as { version: number }).version
}

/** A drawn visit in county A with handler A among its inspectors, and one photo of it. */
async function visitFixture() {
  const other = await signedInOperator(t.deps, 'county_handler', countyA)
  const inspectorIds = [sessions.handlerA.operator.id, other.operator.id]
  const { visitId } = await insertDrawnVisit(t.deps.db, { countyCode: countyA, inspectorIds })
  const form = new FormData()
  form.append('photos', new File([Buffer.from(jpeg({}).bytes)], 'a.jpg', { type: 'image/jpeg' }))
  const res = await app.request(`/api/admin/visits/${visitId}/photos`, {
    method: 'POST',
    body: form,
    headers: headersOf('admin'),
  })
  const photos = ((await res.json()) as { photos: Array<{ id: string }> }).photos
  return { id: visitId, photoId: photos[0]!.id, inspectorIds }
}

async function enterpriseVersion(uscc: string): Promise<string> {
  const res = await app.request(`/api/admin/enterprises/${uscc}`, { headers: headersOf('admin') })
  return ((await res.json()) as { version: string }).version
}

const readOnly: Record<Caller, Expected> = {
  signedOut: 401,
  viewer: 200,
  handlerA: 200,
  handlerB: 200,
  admin: 200,
}
const caseAReadable: Record<Caller, Expected> = {
  signedOut: 401,
  viewer: 200,
  handlerA: 200,
  handlerB: 404,
  admin: 200,
}
const caseAWritable: Record<Caller, Expected> = {
  signedOut: 401,
  viewer: 403,
  handlerA: 200,
  handlerB: 404,
  admin: 200,
}
const adminOnly: Record<Caller, Expected> = {
  signedOut: 401,
  viewer: 403,
  handlerA: 403,
  handlerB: 403,
  admin: 200,
}
/** Any signed-in operator may reach it; the answer may still refuse the input. */
const anySignedIn: Record<Caller, Expected> = {
  signedOut: 401,
  viewer: 'allowed',
  handlerA: 'allowed',
  handlerB: 'allowed',
  admin: 'allowed',
}

const matrix: Record<string, Row> = {
  'POST /api/admin/auth/sign-in': {
    // Public by nature: wrong credentials get 401 whoever asks, never a 5xx. A name of its own
    // per caller, so the lockout after repeated failures does not answer instead.
    request: (_f, as) => ({
      path: '/api/admin/auth/sign-in',
      init: json({ username: `nobody-${as.toLowerCase()}`, password: 'wrong-password-1' }),
    }),
    expect: { signedOut: 401, viewer: 401, handlerA: 401, handlerB: 401, admin: 401 },
  },
  'GET /api/admin/auth/me': {
    request: () => ({ path: '/api/admin/auth/me' }),
    expect: readOnly,
  },
  'POST /api/admin/auth/password': {
    request: () => ({
      path: '/api/admin/auth/password',
      init: json({ currentPassword: 'not-the-password', newPassword: 'a-long-new-password-2026' }),
    }),
    expect: anySignedIn,
  },
  'GET /api/admin/auth/totp': {
    request: () => ({ path: '/api/admin/auth/totp' }),
    expect: anySignedIn,
  },
  'POST /api/admin/auth/totp': {
    request: () => ({ path: '/api/admin/auth/totp', init: json({ code: '000000' }) }),
    expect: anySignedIn,
  },
  'POST /api/admin/auth/sign-out': {
    // Checked with a session of its own (see below), so the matrix's sessions stay signed in.
    request: () => ({ path: '/api/admin/auth/sign-out', init: { method: 'POST' } }),
    expect: {
      signedOut: 401,
      viewer: 'allowed',
      handlerA: 'allowed',
      handlerB: 'allowed',
      admin: 'allowed',
    },
  },
  'GET /api/admin/audit': {
    request: () => ({ path: '/api/admin/audit' }),
    expect: adminOnly,
  },
  'GET /api/admin/cases': { request: () => ({ path: '/api/admin/cases' }), expect: readOnly },
  'GET /api/admin/cases/:id': {
    request: (f) => ({ path: `/api/admin/cases/${f.caseA.id}` }),
    expect: caseAReadable,
  },
  'POST /api/admin/cases/:id/reveal': {
    request: (f) => ({
      path: `/api/admin/cases/${f.caseA.id}/reveal`,
      init: { method: 'POST' },
    }),
    expect: caseAWritable,
  },
  'POST /api/admin/cases/:id/actions': {
    request: async (f) => ({
      path: `/api/admin/cases/${f.caseA.id}/actions`,
      init: json({
        action: 'note',
        version: await versionOf(f.caseA.id),
        note: '电话联系了投诉人。',
      }),
    }),
    expect: caseAWritable,
  },
  'POST /api/admin/cases/:id/merge': {
    request: async (f) => ({
      path: `/api/admin/cases/${f.caseA.id}/merge`,
      init: json({ duplicateId: await freshCaseOfA(), version: await versionOf(f.caseA.id) }),
    }),
    expect: caseAWritable,
  },
  'GET /api/admin/photos/:photoId': {
    request: (f) => ({ path: `/api/admin/photos/${f.caseA.photoId}` }),
    expect: caseAReadable,
  },
  'GET /api/admin/enterprises': {
    request: () => ({ path: '/api/admin/enterprises' }),
    expect: adminOnly,
  },
  'GET /api/admin/enterprises/:uscc': {
    request: (f) => ({ path: `/api/admin/enterprises/${f.uscc}` }),
    expect: adminOnly,
  },
  'POST /api/admin/enterprises/:uscc/actions': {
    request: async (f) => ({
      path: `/api/admin/enterprises/${f.uscc}/actions`,
      init: json({
        action: 'edit',
        reason: '核对地址',
        version: await enterpriseVersion(f.uscc),
        address: `丽水市莲都区中山街 ${Math.floor(Math.random() * 900) + 100} 号`,
      }),
    }),
    expect: adminOnly,
  },
  'POST /api/admin/enterprises/import': {
    // A dry run of a one-row list: checked as an import is, nothing written.
    request: (f) => {
      const form = new FormData()
      const list = `uscc,name,county,sector,address,certified_at,valid_until,status\n${f.uscc},核对名单,331102,其他,莲都区中山街 1 号,2024-01-10,2030-01-09,有效\n`
      form.set('file', new File([list], 'list.csv', { type: 'text/csv' }))
      form.set('dryRun', 'true')
      return { path: '/api/admin/enterprises/import', init: { method: 'POST', body: form } }
    },
    expect: adminOnly,
  },
  'GET /api/admin/operators': {
    request: () => ({ path: '/api/admin/operators' }),
    expect: adminOnly,
  },
  'POST /api/admin/operators': {
    // A fresh name per call, so the admin's call creates an account instead of finding it taken.
    request: () => ({
      path: '/api/admin/operators',
      init: json({ username: `matrix.${randomBytes(4).toString('hex')}`, role: 'viewer' }),
    }),
    expect: { ...adminOnly, admin: 201 },
  },
  'POST /api/admin/operators/:id/actions': {
    request: async (f) => {
      await lockOperator(f.lockedOperatorId)
      return {
        path: `/api/admin/operators/${f.lockedOperatorId}/actions`,
        init: json({ action: 'unlock' }),
      }
    },
    expect: adminOnly,
  },
  'POST /api/admin/operators/:id/scope': {
    request: async (f) => {
      const { countyCode } = await t.deps.db
        .selectFrom('operators')
        .select('countyCode')
        .where('id', '=', f.movedOperatorId)
        .executeTakeFirstOrThrow()
      return {
        path: `/api/admin/operators/${f.movedOperatorId}/scope`,
        init: json({ role: 'county_handler', county: countyCode === countyA ? countyB : countyA }),
      }
    },
    expect: adminOnly,
  },
  // Credit records (issue 22): county-scoped like cases; a viewer reads but never writes.
  'GET /api/admin/records': {
    request: () => ({ path: '/api/admin/records?q=9' }),
    expect: readOnly,
  },
  'GET /api/admin/records/:uscc': {
    request: (f) => ({ path: `/api/admin/records/${f.recordUscc}` }),
    expect: caseAReadable,
  },
  'POST /api/admin/records/:uscc/commitments': {
    request: (f) => ({
      path: `/api/admin/records/${f.recordUscc}/commitments`,
      init: json({ textVersion: 'v1', signedOn: '2026-11-20', signerRole: '负责人' }),
    }),
    expect: caseAWritable,
  },
  'POST /api/admin/records/:uscc/commitments/:commitmentId/withdraw': {
    // A commitment of its own per call, so each caller's call meets one in force.
    request: async (f) => ({
      path: `/api/admin/records/${f.recordUscc}/commitments/${await newCommitment(f)}/withdraw`,
      init: json({ reason: '单位申请撤回' }),
    }),
    expect: caseAWritable,
  },
  'POST /api/admin/records/:uscc/objections': {
    request: async (f) => ({
      path: `/api/admin/records/${f.recordUscc}/objections`,
      init: json({
        itemKind: 'commitment',
        itemId: await newCommitment(f),
        receivedOn: '2026-11-30',
        statement: '承诺日期记录有误',
      }),
    }),
    expect: caseAWritable,
  },
  'POST /api/admin/records/:uscc/objections/:objectionId/decision': {
    // A pending objection of its own per call, decided as not upheld.
    request: async (f) => {
      const { id } = await t.deps.db
        .insertInto('creditObjections')
        .values({
          uscc: f.recordUscc,
          itemKind: 'commitment',
          itemId: await newCommitment(f),
          receivedOn: '2026-11-30',
          statement: '承诺日期记录有误',
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      return {
        path: `/api/admin/records/${f.recordUscc}/objections/${id}/decision`,
        init: json({ version: 0, outcome: 'rejected', outcomeNote: '经核实，记录无误。' }),
      }
    },
    expect: caseAWritable,
  },
  'GET /api/admin/hotline/callbacks/dead': {
    request: () => ({ path: '/api/admin/hotline/callbacks/dead' }),
    expect: adminOnly,
  },
  'POST /api/admin/hotline/callbacks/:id/retry': {
    request: async (f) => {
      await t.deps.db
        .updateTable('hotlineCallbacks')
        .set({ state: 'dead', attempts: 10 })
        .where('id', '=', f.deadCallbackId)
        .execute()
      return {
        path: `/api/admin/hotline/callbacks/${f.deadCallbackId}/retry`,
        init: { method: 'POST' },
      }
    },
    expect: adminOnly,
  },
  'GET /api/admin/hotline/rejected-events': {
    request: () => ({ path: '/api/admin/hotline/rejected-events' }),
    expect: adminOnly,
  },
  'POST /api/admin/hotline/rejected-events/:webhookId/retry': {
    request: async (f) => {
      await t.deps.db
        .updateTable('hotlineInbox')
        .set({ state: 'rejected' })
        .where('webhookId', '=', f.rejectedWebhookId)
        .execute()
      return {
        path: `/api/admin/hotline/rejected-events/${f.rejectedWebhookId}/retry`,
        init: { method: 'POST' },
      }
    },
    expect: adminOnly,
  },
  'GET /api/admin/visits/:id': {
    request: (f) => ({ path: `/api/admin/visits/${f.visitA.id}` }),
    expect: caseAReadable,
  },
  'POST /api/admin/visits/:id': {
    // The same record each time at the current version: the first save records the visit, the
    // next ones change nothing public, so no reason is asked.
    request: async (f) => ({
      path: `/api/admin/visits/${f.visitA.id}`,
      init: json({
        version: await visitVersion(f.visitA.id),
        visitedOn: '2026-12-01',
        inspectorIds: f.visitA.inspectorIds,
        instruments: [{ kind: '加油机', verificationValid: true, passed: true }],
        result: 'pass',
      }),
    }),
    expect: caseAWritable,
  },
  'POST /api/admin/visits/:id/photos': {
    request: (f) => {
      const form = new FormData()
      form.append(
        'photos',
        new File([Buffer.from(jpeg({}).bytes)], 'a.jpg', { type: 'image/jpeg' }),
      )
      return {
        path: `/api/admin/visits/${f.visitA.id}/photos`,
        init: { method: 'POST', body: form },
      }
    },
    expect: caseAWritable,
  },
  'GET /api/admin/visit-photos/:photoId': {
    request: (f) => ({ path: `/api/admin/visit-photos/${f.visitA.photoId}` }),
    expect: caseAReadable,
  },
  // 专项检查 and 回避 (issue 22): county-scoped like cases; viewers read only.
  'GET /api/admin/campaigns': {
    request: () => ({ path: '/api/admin/campaigns' }),
    expect: readOnly,
  },
  'POST /api/admin/campaigns': {
    // Each handler for its own county (another county's is refused: campaigns.test.ts).
    request: (_f, as) => ({
      path: '/api/admin/campaigns',
      init: json({
        title: '矩阵专项检查',
        kind: 'market_scale',
        startsOn: '2026-12-01',
        endsOn: '2026-12-31',
        counties: [as === 'handlerB' ? countyB : countyA],
        sectors: ['market'],
        drawSize: 1,
        inspectorsPerVisit: 2,
      }),
    }),
    expect: { signedOut: 401, viewer: 403, handlerA: 201, handlerB: 201, admin: 201 },
  },
  'GET /api/admin/campaigns/:id': {
    request: (f) => ({ path: `/api/admin/campaigns/${f.campaignA}` }),
    expect: caseAReadable,
  },
  'POST /api/admin/campaigns/:id/draw': {
    // Past the gate a draw may still be refused (drawn already, empty pool): 409, allowed.
    request: async (f) => ({
      path: `/api/admin/campaigns/${f.campaignA}/draw`,
      init: json({ version: await campaignVersion(f.campaignA) }),
    }),
    expect: { signedOut: 401, viewer: 403, handlerA: 'allowed', handlerB: 404, admin: 'allowed' },
  },
  'POST /api/admin/campaigns/:id/publish': {
    request: async (f) => ({
      path: `/api/admin/campaigns/${f.campaignA}/publish`,
      init: json({ version: await campaignVersion(f.campaignA), reason: '检查结束，公示结果' }),
    }),
    expect: { signedOut: 401, viewer: 403, handlerA: 'allowed', handlerB: 404, admin: 'allowed' },
  },
  'GET /api/admin/recusals': { request: () => ({ path: '/api/admin/recusals' }), expect: readOnly },
  'POST /api/admin/recusals': {
    request: (f) => ({
      path: '/api/admin/recusals',
      init: json({ uscc: f.uscc, reason: '亲属在该单位任职' }),
    }),
    expect: { signedOut: 401, viewer: 403, handlerA: 200, handlerB: 200, admin: 200 },
  },
  'POST /api/admin/recusals/withdraw': {
    // The caller's own recusal is made first, so there is one to withdraw.
    request: async (f, as) => {
      if (as !== 'signedOut' && as !== 'viewer') {
        await t.deps.db
          .insertInto('inspectorRecusals')
          .values({ operatorId: sessions[as].operator.id, uscc: f.uscc, reason: '矩阵测试' })
          .onConflict((oc) => oc.doNothing())
          .execute()
      }
      return {
        path: '/api/admin/recusals/withdraw',
        init: json({ uscc: f.uscc, reason: '已不在该单位任职' }),
      }
    },
    expect: { signedOut: 401, viewer: 403, handlerA: 200, handlerB: 200, admin: 200 },
  },
  // 行政处罚 (issue 22): county-scoped like cases.
  'GET /api/admin/penalties': {
    request: () => ({ path: '/api/admin/penalties' }),
    expect: readOnly,
  },
  'POST /api/admin/penalties': {
    // A fresh decision number per call, for county A: county B's handler may not enter it.
    request: (f) => ({
      path: '/api/admin/penalties',
      init: json(penaltyEntry(f.penaltyA.uscc)),
    }),
    expect: { ...caseAWritable, handlerA: 201, handlerB: 403, admin: 201 },
  },
  'GET /api/admin/penalties/:id': {
    request: (f) => ({ path: `/api/admin/penalties/${f.penaltyA.id}` }),
    expect: caseAReadable,
  },
  'POST /api/admin/penalties/:id/edit': {
    request: async (f) => {
      const res = await app.request(`/api/admin/penalties/${f.penaltyA.id}`, {
        headers: headersOf('admin'),
      })
      const current = (await res.json()) as Record<string, unknown>
      return {
        path: `/api/admin/penalties/${f.penaltyA.id}/edit`,
        init: json({ ...current, caseTrackingNo: undefined, reason: '核对决定书原件' }),
      }
    },
    expect: caseAWritable,
  },
  // Notices to handlers (issue 24): handlers see their county's recipients; the city sets them up.
  'GET /api/admin/notifications': {
    request: () => ({ path: '/api/admin/notifications' }),
    expect: { signedOut: 401, viewer: 403, handlerA: 200, handlerB: 200, admin: 200 },
  },
  'POST /api/admin/notifications/endpoints': {
    request: () => ({
      path: '/api/admin/notifications/endpoints',
      init: json({
        countyCode: countyA,
        kind: 'email',
        address: `matrix.${randomBytes(4).toString('hex')}@handlers.example`,
        label: '矩阵测试',
      }),
    }),
    expect: { ...adminOnly, admin: 201 },
  },
  'POST /api/admin/notifications/endpoints/:id/enabled': {
    // A recipient of its own per call, so each caller acts on one that is there.
    request: async () => {
      const { id } = await t.deps.db
        .insertInto('notificationEndpoints')
        .values({
          countyCode: countyA,
          kind: 'email',
          address: `matrix.${randomBytes(4).toString('hex')}@handlers.example`,
          label: '矩阵测试',
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      return {
        path: `/api/admin/notifications/endpoints/${id}/enabled`,
        init: json({ enabled: false }),
      }
    },
    expect: adminOnly,
  },
  // 举报奖励 (issue 25): county-scoped like cases; approving is the city administrators' (its
  // 403 for a handler has its own test, reporter-rewards).
  'GET /api/admin/rewards': { request: () => ({ path: '/api/admin/rewards' }), expect: readOnly },
  'GET /api/admin/cases/:id/reward': {
    request: (f) => ({ path: `/api/admin/cases/${f.caseA.id}/reward` }),
    expect: caseAReadable,
  },
  'POST /api/admin/cases/:id/reward': {
    // A fresh rewardable 举报 of county A per call, its reward proposed.
    request: async () => ({
      path: `/api/admin/cases/${await rewardableReportOfA()}/reward`,
      init: json({ action: 'propose', version: 0, amount: '500', rule: 'local' }),
    }),
    expect: caseAWritable,
  },
  'POST /api/admin/cases/:id/reward/payee': {
    request: async () => ({
      path: `/api/admin/cases/${await claimedRewardOfA()}/reward/payee`,
      init: { method: 'POST' },
    }),
    expect: caseAWritable,
  },
  // 预警 (issue 24): county-scoped like cases; thresholds are the city administrators'.
  'GET /api/admin/warnings': { request: () => ({ path: '/api/admin/warnings' }), expect: readOnly },
  'GET /api/admin/warnings/:id': {
    request: (f) => ({ path: `/api/admin/warnings/${f.warningA}` }),
    expect: caseAReadable,
  },
  'POST /api/admin/warnings/:id/actions': {
    // A fresh open warning of county A per call, acknowledged at its first version.
    request: async () => ({
      path: `/api/admin/warnings/${await insertWarning(t.deps.db, { countyCode: countyA })}/actions`,
      init: json({ action: 'acknowledge', version: 1 }),
    }),
    expect: caseAWritable,
  },
  'GET /api/admin/warnings/thresholds': {
    request: () => ({ path: '/api/admin/warnings/thresholds' }),
    expect: adminOnly,
  },
  'POST /api/admin/warnings/thresholds': {
    request: () => ({
      path: '/api/admin/warnings/thresholds',
      init: json({ subjectKind: 'business', windowHours: 48, minCount: 5, severity: 2 }),
    }),
    expect: adminOnly,
  },
  'DELETE /api/admin/warnings/thresholds/:id': {
    // A threshold of its own per call, for the admin's row to remove.
    request: async () => {
      const { id } = await t.deps.db
        .insertInto('warningThresholds')
        .values({
          subjectKind: 'instrument',
          countyCode: null,
          windowHours: 24,
          minCount: 3,
          severity: 1,
        })
        .onConflict((oc) =>
          oc.expression(sql`subject_kind, coalesce(county_code, '')`).doUpdateSet({ minCount: 3 }),
        )
        .returning('id')
        .executeTakeFirstOrThrow()
      return { path: `/api/admin/warnings/thresholds/${id}`, init: { method: 'DELETE' } }
    },
    expect: adminOnly,
  },
  // Open311 apps and their keys (issue 27): the city administrators'.
  'GET /api/admin/open311/clients': {
    request: () => ({ path: '/api/admin/open311/clients' }),
    expect: adminOnly,
  },
  'POST /api/admin/open311/clients': {
    request: () => ({
      path: '/api/admin/open311/clients',
      init: json({ name: '矩阵测试应用', contact: '矩阵测试 0578-2123456' }),
    }),
    expect: { ...adminOnly, admin: 201 },
  },
  'POST /api/admin/open311/clients/:id/revoke': {
    // An app of its own per call, so each caller acts on a key still in use.
    request: async () => {
      const keyPrefix = `o311_${randomBytes(2).toString('hex')}`
      const contact = encryptField(
        t.deps.privacy.ring,
        '矩阵测试',
        `open311_clients:${keyPrefix}:contact`,
      )
      const { id } = await t.deps.db
        .insertInto('open311Clients')
        .values({
          name: '矩阵测试应用',
          piiKeyId: contact.keyId,
          contactSealed: contact.sealed,
          keyHash: randomBytes(32),
          keyPrefix,
          createdBy: sessions.admin.operator.id,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      return { path: `/api/admin/open311/clients/${id}/revoke`, init: { method: 'POST' } }
    },
    expect: adminOnly,
  },
}

/** A 举报 of county A handled as 查实 with 立案查处: one a reward may be proposed on. */
async function rewardableReportOfA(): Promise<string> {
  const { id } = await insertHotlineCase(t.deps.db, {
    kind: 'report',
    county: countyA,
    status: 'resolved',
  })
  await t.deps.db
    .updateTable('complaints')
    .set({ finding: 'substantiated', followUp: 'penalized', resolvedAt: new Date() })
    .where('id', '=', id)
    .execute()
  return id
}

let claimedReward: Promise<string> | undefined
/** A reward of county A its reporter claimed by bank transfer (made once, then reused). */
function claimedRewardOfA(): Promise<string> {
  claimedReward ??= (async () => {
    const id = await rewardableReportOfA()
    const { trackingNo } = await t.deps.db
      .selectFrom('complaints')
      .select('trackingNo')
      .where('id', '=', id)
      .executeTakeFirstOrThrow()
    const sealed = sealPayee(t.deps.privacy.ring, trackingNo, {
      payeeName: '王小明',
      bankName: '中国农业银行丽水分行',
      accountNo: '6228480012345678901',
    })
    const at = new Date()
    await t.deps.db
      .insertInto('reporterRewards')
      .values({
        complaintId: id,
        state: 'claimed',
        amountFen: 50_000,
        rule: 'local',
        proposedAt: at,
        decidedAt: at,
        claimDeadline: new Date(at.getTime() + 86_400_000),
        claimedAt: at,
        claimMethod: 'bank_transfer',
        payeeSealed: sealed.sealed,
        payeeKeyId: sealed.keyId,
      })
      .execute()
    return id
  })()
  return claimedReward
}

/** A campaign's current version, as the database has it. */
async function campaignVersion(id: string): Promise<number> {
  const row = await t.deps.db
    .selectFrom('inspectionCampaigns')
    .select('version')
    .where('id', '=', id)
    .executeTakeFirstOrThrow()
  return row.version
}

/** A 行政处罚 of county A against the matrix's business, with a decision number of its own. */
const penaltyEntry = (uscc: string) => ({
  uscc,
  county: countyA,
  decisionNo: `丽莲市监罚〔2026〕矩阵${randomBytes(4).toString('hex')}号`,
  decidedOn: '2026-11-20',
  kind: 'fine',
  violation: '使用不合格的计量器具。',
  penalty: '罚款人民币 2,000 元。',
  legalBasis: '《中华人民共和国计量法实施细则》第四十三条',
})

/** A hotline case with one dead callback, and a rejected inbound event whose body passes now. */
async function hotlineFixtures() {
  const hotline = await insertHotlineCase(t.deps.db, { county: countyA })
  const callback = await t.deps.db
    .insertInto('hotlineCallbacks')
    .values({
      webhookId: newWebhookId(),
      ticketNo: hotline.ticketNo,
      complaintId: hotline.id,
      eventType: 'ticket.signed',
      payload: JSON.stringify({
        type: 'ticket.signed',
        occurred_at: '2026-11-26T10:00:00+08:00',
        ticket_no: hotline.ticketNo,
        detail: { handler_unit: '莲都区市场监督管理局' },
      }),
      state: 'dead',
      attempts: 10,
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  const webhookId = newWebhookId()
  const body = JSON.stringify({
    type: 'ticket.urged',
    occurred_at: '2026-11-26T11:00:00+08:00',
    ticket: { ticket_no: hotline.ticketNo },
  })
  const sealed = encryptField(t.deps.privacy.ring, body, `hotline_inbox:${webhookId}`)
  await t.deps.db
    .insertInto('hotlineInbox')
    .values({
      webhookId,
      webhookTimestamp: new Date(),
      bodySha256: createHash('sha256').update(body).digest(),
      piiKeyId: sealed.keyId,
      bodySealed: sealed.sealed,
      state: 'rejected',
      responseStatus: 400,
      responseBody: JSON.stringify({ error: { code: 'VALIDATION_FAILED' } }),
      errors: JSON.stringify([{ field: 'detail', message: '旧版校验规则拒收。' }]),
    })
    .execute()
  return { deadCallbackId: callback.id, rejectedWebhookId: webhookId }
}

/** A commitment in force of the record's business, straight in the database. */
async function newCommitment(f: Fixtures): Promise<string> {
  const { id } = await t.deps.db
    .insertInto('commitments')
    .values({
      uscc: f.recordUscc,
      textVersion: 'v1',
      signedOn: '2026-11-01',
      signerRole: '负责人',
      source: 'test',
    })
    .returning('id')
    .executeTakeFirstOrThrow()
  return id
}

/** Locks an account as five wrong passwords would. */
async function lockOperator(id: string) {
  await t.deps.db
    .updateTable('operators')
    .set({ lockedUntil: new Date(Date.now() + 15 * 60_000) })
    .where('id', '=', id)
    .execute()
}

/** Files a complaint in `county` through the public API, with a photo when asked. */
async function fileComplaint(county: string, withPhoto: boolean) {
  const form = new FormData()
  const fields = {
    kind: 'complaint',
    category: 'short_weight',
    county,
    merchantName: `矩阵测试摊位 ${county}`,
    address: '城东菜场 12 号',
    occurredAt: '2026-11-20T09:30',
    description: '买了一斤猪肉，回家复秤只有八两。摊主电话 13900002222。',
    name: '王小明',
    phone: '13812345678',
    consent: 'on',
  }
  for (const [k, v] of Object.entries(fields)) form.set(k, v)
  if (withPhoto) {
    form.append('photos', new File([Buffer.from(jpeg({}).bytes)], 'a.jpg', { type: 'image/jpeg' }))
  }
  const res = await app.request(
    '/api/complaints',
    { method: 'POST', body: form, headers: { accept: 'application/json' } },
    { clientAddress: `192.0.2.${county === countyA ? 1 : 2}` },
  )
  expect(res.status).toBeLessThan(400)
  const row = await t.deps.db
    .selectFrom('complaints')
    .select(['id', 'trackingNo'])
    .where('merchantName', '=', fields.merchantName)
    .executeTakeFirstOrThrow()
  const photo = await t.deps.db
    .selectFrom('complaintPhotos')
    .select('id')
    .where('complaintId', '=', row.id)
    .executeTakeFirst()
  return { id: row.id, trackingNo: row.trackingNo, photoId: photo?.id ?? '' }
}

beforeAll(async () => {
  t = await createTestContext()
  app = createApp(t.deps)
  const [business, recorded] = generateDemoRecords(2)
  await applyEnterpriseRecords({
    ctx: t.deps,
    input: {
      records: [business!, { ...recorded!, countyCode: countyA }],
      source: 'test',
      today: '2026-11-27',
    },
  })
  sessions.viewer = await signedInOperator(t.deps, 'viewer')
  sessions.handlerA = await signedInOperator(t.deps, 'county_handler', countyA)
  sessions.handlerB = await signedInOperator(t.deps, 'county_handler', countyB)
  sessions.admin = await signedInOperator(t.deps, 'city_admin')
  fx = {
    caseA: await fileComplaint(countyA, true),
    caseB: await fileComplaint(countyB, false),
    uscc: business!.uscc,
    lockedOperatorId: (await signedInOperator(t.deps, 'viewer')).operator.id,
    movedOperatorId: (await signedInOperator(t.deps, 'county_handler', countyA)).operator.id,
    ...(await hotlineFixtures()),
    visitA: await visitFixture(),
    recordUscc: recorded!.uscc,
    campaignA: (
      await t.deps.db
        .insertInto('inspectionCampaigns')
        .values({
          title: '莲都区衡器专项',
          kind: 'market_scale',
          startsOn: '2026-12-01',
          endsOn: '2026-12-31',
          countyCodes: [countyA],
          sectorCodes: ['market'],
          drawSize: 1,
          ownerCountyCode: countyA,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id,
    penaltyA: await (async () => {
      const res = await app.request('/api/admin/penalties', {
        ...json(penaltyEntry(business!.uscc)),
        headers: { 'content-type': 'application/json', ...sessions.admin.headers },
      })
      expect(res.status).toBe(201)
      return { id: ((await res.json()) as { id: string }).id, uscc: business!.uscc }
    })(),
    warningA: await insertWarning(t.deps.db, { countyCode: countyA, complaintIds: [] }),
  }
  expect(fx.caseA.photoId).not.toBe('')
})

afterAll(() => t.cleanup())

describe('the console API access matrix', () => {
  it('has a row for every /api/admin route the app serves', () => {
    const served = new Set(
      app.routes
        .filter((r) => r.path.startsWith('/api/admin/') && r.method !== 'ALL')
        .map((r) => `${r.method} ${r.path}`),
    )
    expect([...served].sort()).toEqual(Object.keys(matrix).sort())
  })

  for (const [route, row] of Object.entries(matrix)) {
    it.each(callers)(`${route} as %s`, async (as) => {
      if (route.endsWith('/sign-out') && as !== 'signedOut') {
        const own = await signedInOperator(
          t.deps,
          sessions[as].operator.role,
          sessions[as].operator.countyCode,
        )
        const res = await app.request('/api/admin/auth/sign-out', {
          method: 'POST',
          headers: own.headers,
        })
        expect(refusals).not.toContain(res.status)
        expect(res.status).toBeLessThan(500)
        return
      }
      const { path, init } = await row.request(fx, as)
      const res = await app.request(path, {
        ...init,
        headers: { ...(init?.headers as Record<string, string>), ...headersOf(as) },
      })
      const expected = row.expect[as]
      if (expected === 'allowed') {
        expect(refusals, `${route} as ${as}: ${res.status}`).not.toContain(res.status)
        expect(res.status).toBeLessThan(500)
      } else {
        expect(res.status, `${route} as ${as}`).toBe(expected)
      }
      expect(res.headers.get('cache-control')).toBe('no-store')
    })
  }

  it('never lists or finds a county A case for the county B handler', async () => {
    const headers = headersOf('handlerB')
    const listed = await app.request('/api/admin/cases?pageSize=100', { headers })
    const ids = ((await listed.json()) as { items: Array<{ id: string }> }).items.map((i) => i.id)
    expect(ids).toContain(fx.caseB.id)
    expect(ids).not.toContain(fx.caseA.id)

    for (const q of [fx.caseA.trackingNo, `矩阵测试摊位 ${countyA}`]) {
      const found = await app.request(`/api/admin/cases?q=${encodeURIComponent(q)}`, { headers })
      expect(found.status).toBe(200)
      const items = ((await found.json()) as { items: Array<{ id: string }> }).items
      expect(items.map((i) => i.id)).not.toContain(fx.caseA.id)
    }
    const askedForA = await app.request(`/api/admin/cases?county=${countyA}`, { headers })
    expect(askedForA.status).toBe(403)
  })

  it('shows the county A handler its own case and masks contact details for a viewer', async () => {
    const own = await app.request(`/api/admin/cases?county=${countyA}`, {
      headers: headersOf('handlerA'),
    })
    const ids = ((await own.json()) as { items: Array<{ id: string }> }).items.map((i) => i.id)
    expect(ids).toContain(fx.caseA.id)
    expect(ids).not.toContain(fx.caseB.id)

    const seen = await app.request(`/api/admin/cases/${fx.caseA.id}`, {
      headers: headersOf('viewer'),
    })
    const text = await seen.text()
    expect(text).not.toContain('13812345678')
    expect(text).not.toContain('王小明')
    expect(text).toContain('138****5678')
    // Numbers typed into the free text are masked for a viewer too; a handler reads them.
    expect(text).not.toContain('13900002222')
    expect(text).toContain('139****2222')
    const handler = await app.request(`/api/admin/cases/${fx.caseA.id}`, {
      headers: headersOf('handlerA'),
    })
    expect(await handler.text()).toContain('13900002222')
  })
})
