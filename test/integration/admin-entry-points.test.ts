import { readFileSync } from 'node:fs'
import path from 'node:path'
import type { AstroGlobal } from 'astro'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { auditReaders } from '../../api/services/admin/audit-search.ts'
import type { ConsoleAccess } from '../../api/services/admin/console-request.ts'
import { enterpriseAdmins } from '../../api/services/admin/enterprises/access.ts'
import { operatorAdmins } from '../../api/services/admin/operators/access.ts'
import { installDeps, uninstallDeps } from '../../server/deps.ts'
import { sessionCookieName } from '../../api/services/admin/sessions.ts'
import { applyEnterpriseRecords } from '../../api/services/enterprises/apply.ts'
import { generateDemoRecords } from '../../scripts/demo/generate.ts'
import { loadAuditPage } from '../../site/lib/admin/auth-audit.ts'
import { handlePasswordChange } from '../../site/lib/admin/auth-password.ts'
import { handleSignIn } from '../../site/lib/admin/auth-sign-in.ts'
import { handleSignOut } from '../../site/lib/admin/auth-sign-out.ts'
import { handleCaseRequest } from '../../site/lib/admin/cases-page.ts'
import { loadQueuePage } from '../../site/lib/admin/cases-queue.ts'
import { loadConsoleList } from '../../site/lib/admin/enterprises-list.ts'
import { handleRecordRequest, loadRecordsList } from '../../site/lib/admin/records-page.ts'
import { consoleRequest, consoleSession } from '../../site/lib/admin/session.ts'
import { handleVisitRequest } from '../../site/lib/admin/visits-page.ts'
import { handleWarningPage, loadWarningList } from '../../site/lib/admin/warnings-page.ts'
import { thresholdAdmins } from '../../api/services/admin/warnings/access.ts'
import { insertWarning } from '../support/warnings-console.ts'
import { insertHotlineCase } from '../support/hotline.ts'
import { insertDrawnVisit } from '../support/visits.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { signedInOperator, type TestOperator } from '../support/operators.ts'

/**
 * Both entry points of the console (issue 21, acceptance 3): for each action, the Astro page's
 * request (its adapter called as the built page calls it) and the /api/admin route must reach
 * the same decision for each caller, since both go through the same console verbs.
 */

const countyA = '331102' // 莲都区
const countyB = '331121' // 青田县
const host = 'console.example'
const callers = [
  'signedOut',
  'viewer',
  'handlerA',
  'handlerB',
  'admin',
  'adminWithoutCsrf',
  'adminFromOtherSite',
] as const
type Caller = (typeof callers)[number]

/** What a caller was told, whichever way it asked. */
type Decision = 'signed_out' | 'forbidden' | 'not_found' | 'allowed'

let t: TestContext
let app: ReturnType<typeof createApp>
let caseId: string
let uscc: string
/** A drawn visit in county A, handler A one of its two inspectors. */
let visit: { id: string; inspectorIds: string[] }
/** A business of county A, for the credit record's pages. */
const [, recorded] = generateDemoRecords(2)
const recordUscc = recorded!.uscc
const sessions = {} as Record<'viewer' | 'handlerA' | 'handlerB' | 'admin', TestOperator>

const sessionOf = (as: Caller): TestOperator | undefined =>
  as === 'signedOut' ? undefined : sessions[as.startsWith('admin') ? 'admin' : (as as 'viewer')]

/** The headers a browser would send to /api/admin as this caller. */
function apiHeaders(as: Caller): Record<string, string> {
  const s = sessionOf(as)
  const headers: Record<string, string> = s ? { ...s.headers } : {}
  if (as === 'adminWithoutCsrf') delete headers['x-csrf-token']
  if (as === 'adminFromOtherSite') headers.origin = 'https://attacker.example'
  return headers
}

function decisionOfStatus(status: number): Decision {
  if (status === 401) return 'signed_out'
  if (status === 403) return 'forbidden'
  if (status === 404) return 'not_found'
  expect(status).toBeLessThan(500)
  return 'allowed'
}

/** A page's answer: a 303 to sign-in is the page's way of saying "signed out". */
function decisionOfPage(answer: Response | { status: number }): Decision {
  if (answer instanceof Response && answer.status === 303) {
    const location = answer.headers.get('location') ?? ''
    return location.startsWith('/admin/sign-in') ? 'signed_out' : 'allowed'
  }
  return decisionOfStatus(answer.status)
}

/** The Astro global as a console page sees it, for `as`, with an optional form post. */
function astroFor(as: Caller, path: string, form?: Record<string, string | string[]>): AstroGlobal {
  const s = sessionOf(as)
  const token = s?.headers.cookie.split('=')[1]
  const body = new FormData()
  for (const [k, v] of Object.entries(form ?? {})) for (const one of [v].flat()) body.append(k, one)
  const csrf = s?.headers['x-csrf-token']
  if (form && csrf && as !== 'adminWithoutCsrf') body.set('csrf', csrf)
  const headers: Record<string, string> = { 'user-agent': 'test' }
  if (as === 'adminFromOtherSite') headers.origin = 'https://attacker.example'
  const url = new URL(path, `http://${host}`)
  const request = new Request(url, form ? { method: 'POST', headers, body } : { headers })
  const astro = {
    url,
    request,
    clientAddress: '192.0.2.10',
    params: {},
    response: { headers: new Headers(), status: 200 },
    cookies: {
      get: (name: string) => (name === sessionCookieName && token ? { value: token } : undefined),
      set: () => undefined,
      delete: () => undefined,
    },
    redirect: (location: string, status = 302) =>
      new Response(null, { status, headers: { location } }),
  }
  return astro as unknown as AstroGlobal
}

interface Action {
  /** The /api/admin call. */
  api: () => Promise<{ path: string; init?: RequestInit }>
  /** The same action through its page, as the .astro file runs it. */
  page: (as: Caller) => Promise<Response | { status: number }>
  expect: Partial<Record<Caller, Decision>>
}

const json = (body: unknown): RequestInit => ({
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body),
})

async function visitVersion(): Promise<number> {
  const res = await app.request(`/api/admin/visits/${visit.id}`, { headers: apiHeaders('admin') })
  return ((await res.json()) as { version: number }).version
}

/** The visit page as the .astro file runs it, its answer as a status. */
function visitPage(as: Caller, form?: Record<string, string | string[]>) {
  const astro = astroFor(as, `/admin/visits/${visit.id}`, form)
  return page(astro, {}, () =>
    handleVisitRequest({
      request: astro.request,
      url: astro.url,
      id: visit.id,
      console: consoleRequest(astro),
    }).then((p) => (p.kind === 'redirect' ? { status: 303 } : p)),
  )
}

/** An open warning of county A, straight in the database (detection is tested elsewhere). */
const warningOfA = () => insertWarning(t.deps.db, { countyCode: countyA })

/** A warning's page as the .astro file runs it, its answer as a status. */
function warningPage(as: Caller, id: string, form?: Record<string, string>) {
  const astro = astroFor(as, `/admin/warnings/${id}`, form)
  return page(astro, {}, () =>
    handleWarningPage({
      request: astro.request,
      url: astro.url,
      id,
      console: consoleRequest(astro),
    }).then((p) => (p.kind === 'redirect' ? { status: 303 } : p)),
  )
}

/** A 举报 of county A handled as 查实 with 立案查处, with a reward proposed if `proposed`. */
async function rewardableReportOfA(proposed = false): Promise<string> {
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
  if (proposed) {
    await t.deps.db
      .insertInto('reporterRewards')
      .values({ complaintId: id, amountFen: 50_000, rule: 'local', proposedAt: new Date() })
      .execute()
  }
  return id
}

/** A reward step posted through the case page, as the .astro file runs it. */
function rewardPage(as: Caller, id: string, form: Record<string, string>) {
  const astro = astroFor(as, `/admin/cases/${id}`, { intent: 'reward', ...form })
  return page(astro, {}, () =>
    handleCaseRequest({
      request: astro.request,
      url: astro.url,
      id,
      operator: sessionOf(as)!.operator,
      console: consoleRequest(astro),
    }).then((p) => (p.kind === 'redirect' ? { status: 303 } : p)),
  )
}

const proposal = { action: 'propose', version: '0', amount: '500', rule: 'local' }

async function caseVersion(): Promise<number> {
  const res = await app.request(`/api/admin/cases/${caseId}`, { headers: apiHeaders('admin') })
  return ((await res.json()) as { version: number }).version
}

/** Runs a page: its session check first, then its adapter, as the .astro files do. */
async function page(
  astro: AstroGlobal,
  options: Parameters<typeof consoleSession>[1],
  adapter: () => Promise<{ status: number } | Response>,
): Promise<Response | { status: number }> {
  const session = await consoleSession(astro, options)
  if (session instanceof Response) return session
  return adapter()
}

const everyoneIn: Partial<Record<Caller, Decision>> = {
  signedOut: 'signed_out',
  viewer: 'allowed',
  handlerA: 'allowed',
  handlerB: 'allowed',
  admin: 'allowed',
}
const adminsOnly: Partial<Record<Caller, Decision>> = {
  signedOut: 'signed_out',
  viewer: 'forbidden',
  handlerA: 'forbidden',
  handlerB: 'forbidden',
  admin: 'allowed',
}
const caseAWritable: Partial<Record<Caller, Decision>> = {
  signedOut: 'signed_out',
  viewer: 'forbidden',
  handlerA: 'allowed',
  handlerB: 'not_found',
  admin: 'allowed',
  adminWithoutCsrf: 'forbidden',
}

const actions: Record<string, Action> = {
  'the case queue': {
    api: () => Promise.resolve({ path: '/api/admin/cases' }),
    page: (as) => {
      const astro = astroFor(as, '/admin/cases')
      return page(astro, {}, () => loadQueuePage(astro.url, consoleRequest(astro)))
    },
    expect: everyoneIn,
  },
  'a case': {
    api: () => Promise.resolve({ path: `/api/admin/cases/${caseId}` }),
    page: (as) => {
      const astro = astroFor(as, `/admin/cases/${caseId}`)
      return page(astro, {}, () =>
        handleCaseRequest({
          request: astro.request,
          url: astro.url,
          id: caseId,
          operator: sessionOf(as)!.operator,
          console: consoleRequest(astro),
        }).then((p) => (p.kind === 'redirect' ? { status: 303 } : p)),
      )
    },
    expect: { ...caseAWritable, viewer: 'allowed', adminWithoutCsrf: 'allowed' },
  },
  'a note on a case': {
    api: async () => ({
      path: `/api/admin/cases/${caseId}/actions`,
      init: json({ action: 'note', version: await caseVersion(), note: '电话联系了投诉人。' }),
    }),
    page: async (as) => {
      const version = String(await caseVersion())
      const astro = astroFor(as, `/admin/cases/${caseId}`, {
        action: 'note',
        version,
        note: '电话联系了投诉人。',
      })
      return page(astro, {}, () =>
        handleCaseRequest({
          request: astro.request,
          url: astro.url,
          id: caseId,
          operator: sessionOf(as)!.operator,
          console: consoleRequest(astro),
        }).then((p) => (p.kind === 'redirect' ? { status: 303 } : p)),
      )
    },
    expect: caseAWritable,
  },
  "a case's contact details": {
    api: () =>
      Promise.resolve({ path: `/api/admin/cases/${caseId}/reveal`, init: { method: 'POST' } }),
    page: (as) => {
      const astro = astroFor(as, `/admin/cases/${caseId}`, { intent: 'reveal' })
      return page(astro, {}, () =>
        handleCaseRequest({
          request: astro.request,
          url: astro.url,
          id: caseId,
          operator: sessionOf(as)!.operator,
          console: consoleRequest(astro),
        }).then((p) => (p.kind === 'redirect' ? { status: 303 } : p)),
      )
    },
    expect: caseAWritable,
  },
  // 举报奖励 (issue 25): a handler of the county proposes; only a city administrator approves.
  'a reward proposed on a case': {
    api: async () => ({
      path: `/api/admin/cases/${await rewardableReportOfA()}/reward`,
      init: json({ ...proposal, version: 0 }),
    }),
    page: async (as) => rewardPage(as, await rewardableReportOfA(), proposal),
    expect: caseAWritable,
  },
  'a reward approved': {
    api: async () => ({
      path: `/api/admin/cases/${await rewardableReportOfA(true)}/reward`,
      init: json({ action: 'approve', version: 1 }),
    }),
    page: async (as) =>
      rewardPage(as, await rewardableReportOfA(true), { action: 'approve', version: '1' }),
    expect: { ...caseAWritable, handlerA: 'forbidden' },
  },
  'a drawn visit': {
    api: () => Promise.resolve({ path: `/api/admin/visits/${visit.id}` }),
    page: (as) => visitPage(as),
    expect: { ...caseAWritable, viewer: 'allowed', adminWithoutCsrf: 'allowed' },
  },
  "a visit's record": {
    // The same passed visit each time: the first save records it, the next change nothing.
    api: async () => ({
      path: `/api/admin/visits/${visit.id}`,
      init: json({
        version: await visitVersion(),
        visitedOn: '2026-12-01',
        inspectorIds: visit.inspectorIds,
        instruments: [{ kind: '电子计价秤', verificationValid: true, passed: true }],
        result: 'pass',
      }),
    }),
    page: async (as) =>
      visitPage(as, {
        intent: 'save',
        version: String(await visitVersion()),
        rows: '3',
        visitedOn: '2026-12-01',
        inspectorIds: visit.inspectorIds,
        'instruments.0.kind': '电子计价秤',
        'instruments.0.verificationValid': 'yes',
        'instruments.0.passed': 'yes',
        result: 'pass',
      }),
    expect: caseAWritable,
  },
  'the audit log': {
    api: () => Promise.resolve({ path: '/api/admin/audit' }),
    page: (as) => {
      const astro = astroFor(as, '/admin/audit')
      return page(astro, auditReaders, () => loadAuditPage(astro.url, consoleRequest(astro)))
    },
    expect: adminsOnly,
  },
  'the enterprise list': {
    api: () => Promise.resolve({ path: '/api/admin/enterprises' }),
    page: (as) => {
      const astro = astroFor(as, '/admin/enterprises')
      return page(astro, enterpriseAdmins, () => loadConsoleList(astro.url, consoleRequest(astro)))
    },
    expect: adminsOnly,
  },
  'the credit records list': {
    api: () => Promise.resolve({ path: '/api/admin/records' }),
    page: (as) => {
      const astro = astroFor(as, '/admin/records')
      return page(astro, {}, () => loadRecordsList(astro.url, consoleRequest(astro)))
    },
    expect: everyoneIn,
  },
  "a business's credit record": {
    api: () => Promise.resolve({ path: `/api/admin/records/${recordUscc}` }),
    page: (as) => {
      const astro = astroFor(as, `/admin/records/${recordUscc}`)
      return page(astro, {}, () =>
        handleRecordRequest({
          request: astro.request,
          url: astro.url,
          uscc: recordUscc,
          console: consoleRequest(astro),
        }).then((p) => (p.kind === 'redirect' ? { status: 303 } : p)),
      )
    },
    expect: { ...caseAWritable, viewer: 'allowed', adminWithoutCsrf: 'allowed' },
  },
  'a commitment recorded': {
    api: () =>
      Promise.resolve({
        path: `/api/admin/records/${recordUscc}/commitments`,
        init: json({ textVersion: 'v1', signedOn: '2026-11-20', signerRole: '负责人' }),
      }),
    page: (as) => {
      const astro = astroFor(as, `/admin/records/${recordUscc}`, {
        intent: 'commit',
        textVersion: 'v1',
        signedOn: '2026-11-20',
        signerRole: '负责人',
      })
      return page(astro, {}, () =>
        handleRecordRequest({
          request: astro.request,
          url: astro.url,
          uscc: recordUscc,
          console: consoleRequest(astro),
        }).then((p) => (p.kind === 'redirect' ? { status: 303 } : p)),
      )
    },
    expect: caseAWritable,
  },
  'the warnings list': {
    api: () => Promise.resolve({ path: '/api/admin/warnings' }),
    page: (as) => {
      const astro = astroFor(as, '/admin/warnings')
      return page(astro, {}, () => loadWarningList(astro.url, consoleRequest(astro)))
    },
    expect: everyoneIn,
  },
  'a warning': {
    api: async () => ({ path: `/api/admin/warnings/${await warningOfA()}` }),
    page: async (as) => warningPage(as, await warningOfA()),
    expect: { ...caseAWritable, viewer: 'allowed', adminWithoutCsrf: 'allowed' },
  },
  'acknowledging a warning': {
    // A fresh open warning each way, acknowledged at its first version.
    api: async () => ({
      path: `/api/admin/warnings/${await warningOfA()}/actions`,
      init: json({ action: 'acknowledge', version: 1 }),
    }),
    page: async (as) =>
      warningPage(as, await warningOfA(), { action: 'acknowledge', version: '1' }),
    expect: caseAWritable,
  },
  'a password change': {
    // A wrong current password: past the gate, refused by the verb (allowed to ask).
    api: () =>
      Promise.resolve({
        path: '/api/admin/auth/password',
        init: json({ currentPassword: 'not-the-password', newPassword: 'a-long-new-password-26' }),
      }),
    page: (as) => {
      const astro = astroFor(as, '/admin/password', {
        currentPassword: 'not-the-password',
        newPassword: 'a-long-new-password-26',
        confirmPassword: 'a-long-new-password-26',
      })
      return page(astro, { stages: ['change_password', 'active'] }, () =>
        handlePasswordChange(astro),
      )
    },
    expect: { ...everyoneIn, adminWithoutCsrf: 'forbidden' },
  },
  'a sign-in': {
    // Wrong credentials whoever asks; a post from another site is refused before they count.
    api: () =>
      Promise.resolve({
        path: '/api/admin/auth/sign-in',
        init: json({ username: 'nobody-at-all', password: 'wrong-password-1' }),
      }),
    page: (as) =>
      handleSignIn(
        astroFor(as, '/admin/sign-in', { username: 'nobody-at-all', password: 'wrong-password-1' }),
      ),
    expect: { signedOut: 'signed_out', adminFromOtherSite: 'forbidden' },
  },
  'a sign-out without the CSRF token': {
    api: () => Promise.resolve({ path: '/api/admin/auth/sign-out', init: { method: 'POST' } }),
    page: (as) => handleSignOut(astroFor(as, '/admin/sign-out', {})),
    expect: { adminWithoutCsrf: 'forbidden' },
  },
}

beforeAll(async () => {
  t = await createTestContext()
  app = createApp(t.deps)
  installDeps(t.deps)
  const [business] = generateDemoRecords(1)
  uscc = business!.uscc
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
  const form = new FormData()
  const fields = {
    kind: 'complaint',
    category: 'short_weight',
    county: countyA,
    merchantName: '入口测试摊位',
    address: '城东菜场 12 号',
    occurredAt: '2026-11-20T09:30',
    description: '买了一斤猪肉，回家复秤只有八两。',
    name: '王小明',
    phone: '13812345678',
    consent: 'on',
  }
  for (const [k, v] of Object.entries(fields)) form.set(k, v)
  const filed = await app.request(
    '/api/complaints',
    { method: 'POST', body: form, headers: { accept: 'application/json' } },
    { clientAddress: '192.0.2.1' },
  )
  expect(filed.status).toBeLessThan(400)
  const row = await t.deps.db
    .selectFrom('complaints')
    .select('id')
    .where('merchantName', '=', fields.merchantName)
    .executeTakeFirstOrThrow()
  caseId = row.id
  const other = await signedInOperator(t.deps, 'county_handler', countyA)
  const inspectorIds = [sessions.handlerA.operator.id, other.operator.id]
  const drawn = await insertDrawnVisit(t.deps.db, { countyCode: countyA, inspectorIds })
  visit = { id: drawn.visitId, inspectorIds }
})

afterAll(async () => {
  uninstallDeps()
  await t.cleanup()
})

describe('the console decides the same through its pages and its API', () => {
  for (const [name, action] of Object.entries(actions)) {
    const asked = callers.filter((c) => action.expect[c] !== undefined)
    it.each(asked)(`${name} as %s`, async (as) => {
      const { path, init } = await action.api()
      const res = await app.request(`http://${host}${path}`, {
        ...init,
        headers: { ...(init?.headers as Record<string, string>), ...apiHeaders(as) },
      })
      const viaApi = decisionOfStatus(res.status)
      const viaPage = decisionOfPage(await action.page(as))
      expect({ viaApi, viaPage }, `${name} as ${as}`).toEqual({
        viaApi: action.expect[as],
        viaPage: action.expect[as],
      })
    })
  }
})

/** The areas kept for city administrators, each named by the rule its pages and verbs share. */
const areaRules: Record<string, { access: ConsoleAccess; from: string; refusal: string }> = {
  auditReaders: {
    access: auditReaders,
    from: 'api/services/admin/audit-search.ts',
    refusal: '只有市局管理员可以查看审计日志。',
  },
  enterpriseAdmins: {
    access: enterpriseAdmins,
    from: 'api/services/admin/enterprises/access.ts',
    refusal: '只有市局管理员可以查看和变更诚信计量单位的认定信息。',
  },
  operatorAdmins: {
    access: operatorAdmins,
    from: 'api/services/admin/operators/access.ts',
    refusal: '只有市局管理员可以查看和管理后台账号。',
  },
  thresholdAdmins: {
    access: thresholdAdmins,
    from: 'api/services/admin/warnings/access.ts',
    refusal: '只有市局管理员可以设置预警阈值。',
  },
}

const uploadedList = (): RequestInit => {
  const body = new FormData()
  body.set('file', new File(['统一社会信用代码\n'], 'list.csv', { type: 'text/csv' }))
  return { method: 'POST', body }
}

/** Each city-administrator page, the rule it names and an /api/admin route of the same area. */
const cityAdminPages: {
  name: string
  file: string
  rule: keyof typeof areaRules
  page: () => string
  api: () => { path: string; init?: RequestInit }
}[] = [
  {
    name: 'the audit log',
    file: 'site/pages/admin/audit.astro',
    rule: 'auditReaders',
    page: () => '/admin/audit',
    api: () => ({ path: '/api/admin/audit' }),
  },
  {
    // Refused before the filters are read: not a 400 about them.
    name: 'the audit log with filters that do not parse',
    file: 'site/pages/admin/audit.astro',
    rule: 'auditReaders',
    page: () => '/admin/audit?from=yesterday&page=0',
    api: () => ({ path: '/api/admin/audit?from=yesterday&page=0' }),
  },
  {
    name: 'the enterprise list',
    file: 'site/pages/admin/enterprises/index.astro',
    rule: 'enterpriseAdmins',
    page: () => '/admin/enterprises',
    api: () => ({ path: '/api/admin/enterprises' }),
  },
  {
    name: 'a business',
    file: 'site/pages/admin/enterprises/[uscc].astro',
    rule: 'enterpriseAdmins',
    page: () => `/admin/enterprises/${uscc}`,
    api: () => ({ path: `/api/admin/enterprises/${uscc}` }),
  },
  {
    name: 'the list import',
    file: 'site/pages/admin/enterprises/import.astro',
    rule: 'enterpriseAdmins',
    page: () => '/admin/enterprises/import',
    api: () => ({ path: '/api/admin/enterprises/import', init: uploadedList() }),
  },
  {
    name: 'the account list',
    file: 'site/pages/admin/operators/index.astro',
    rule: 'operatorAdmins',
    page: () => '/admin/operators',
    api: () => ({ path: '/api/admin/operators' }),
  },
  {
    name: 'an account',
    file: 'site/pages/admin/operators/[id].astro',
    rule: 'operatorAdmins',
    page: () => `/admin/operators/${sessions.viewer.operator.id}`,
    api: () => ({
      path: `/api/admin/operators/${sessions.viewer.operator.id}/actions`,
      init: json({ action: 'unlock' }),
    }),
  },
  {
    name: 'the warning thresholds',
    file: 'site/pages/admin/warnings/thresholds.astro',
    rule: 'thresholdAdmins',
    page: () => '/admin/warnings/thresholds',
    api: () => ({
      path: '/api/admin/warnings/thresholds',
      init: json({ subjectKind: 'business', windowHours: 48, minCount: 5, severity: 2 }),
    }),
  },
]

const root = path.resolve(import.meta.dirname, '../..')

describe('each city-administrator area refuses others by one rule, in its own words', () => {
  for (const area of cityAdminPages) {
    const rule = areaRules[area.rule]!
    it(`${area.name}: the page gates on ${area.rule}, the rule its verbs use`, () => {
      const source = readFileSync(path.join(root, area.file), 'utf8')
      expect(source).toContain(`consoleSession(Astro, ${area.rule})`)
      expect(source).toMatch(
        new RegExp(`import \\{ ${area.rule} \\} from '(\\.\\./)+${rule.from}'`),
      )
    })
    it.each(['viewer', 'handlerA'] as const)(
      `${area.name} as %s: 403 with the area's refusal through the page and the API`,
      async (as) => {
        const { path: apiPath, init } = area.api()
        const res = await app.request(`http://${host}${apiPath}`, {
          ...init,
          headers: { ...(init?.headers as Record<string, string>), ...apiHeaders(as) },
        })
        const body = (await res.json()) as { error: { code: string; message: string } }
        expect({ status: res.status, code: body.error.code, message: body.error.message }).toEqual({
          status: 403,
          code: 'FORBIDDEN',
          message: rule.refusal,
        })

        const answer = await consoleSession(astroFor(as, area.page()), rule.access)
        expect(answer).toBeInstanceOf(Response)
        const response = answer as Response
        expect(response.status).toBe(403)
        expect(await response.text()).toContain(rule.refusal)
      },
    )
  }
})
