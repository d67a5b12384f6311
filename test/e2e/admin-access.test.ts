import { insertHotlineCase } from '../support/hotline.ts'
import { insertWarning } from '../support/warnings-console.ts'
import { operatorSession } from '../support/operators.ts'
import { insertDrawnVisit } from '../support/visits.ts'
import { readdirSync } from 'node:fs'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createDb, type Db } from '../../db/client.ts'
import type { OperatorRole } from '../../db/database.ts'

/**
 * The console pages' access matrix (issue 4, acceptance 2): every page under site/pages/admin,
 * for every kind of visitor, against the served product. The pages come from the source tree, so
 * a page added without a row here fails the test.
 */

const countyA = '331102' // 莲都区
const countyB = '331121' // 青田县
const visitors = ['signedOut', 'viewer', 'handlerA', 'handlerB', 'admin'] as const
type Visitor = (typeof visitors)[number]

/** A status, or 'signIn': a 303 to the sign-in page that comes back here afterwards. */
type Expected = number | 'signIn'

let db: Db
let baseUrl: string
const cookies = {} as Record<Exclude<Visitor, 'signedOut'>, string>
let caseA: string
/** An open warning of county A. */
let warningA: string
let uscc: string
/** The viewer's own account: the page an administrator manages it on. */
let viewerId: string
/** County A's campaign, drawn visit, business and penalty, for the credit-record pages. */
const credit = { campaignA: '', visitA: '', usccA: '', penaltyA: '' }

const signedIn = (expected: number): Record<Visitor, Expected> => ({
  signedOut: 'signIn',
  viewer: expected,
  handlerA: expected,
  handlerB: expected,
  admin: expected,
})
/** A page about one thing of county A: the city-level viewer reads it, county B finds nothing. */
const inCountyA: Record<Visitor, Expected> = {
  signedOut: 'signIn',
  viewer: 200,
  handlerA: 200,
  handlerB: 404,
  admin: 200,
}
const adminOnly: Record<Visitor, Expected> = {
  signedOut: 'signIn',
  viewer: 403,
  handlerA: 403,
  handlerB: 403,
  admin: 200,
}

/** Page file (relative to site/pages/admin) → how to reach it and what each visitor gets. */
const matrix: Record<string, { path: () => string; expect: Record<Visitor, Expected> }> = {
  'sign-in.astro': {
    path: () => '/admin/sign-in',
    expect: { signedOut: 200, viewer: 200, handlerA: 200, handlerB: 200, admin: 200 },
  },
  'index.astro': { path: () => '/admin', expect: signedIn(200) },
  'cases/index.astro': { path: () => '/admin/cases', expect: signedIn(200) },
  'cases/[id].astro': {
    path: () => `/admin/cases/${caseA}`,
    expect: { signedOut: 'signIn', viewer: 200, handlerA: 200, handlerB: 404, admin: 200 },
  },
  'password.astro': { path: () => '/admin/password', expect: signedIn(200) },
  'totp.astro': { path: () => '/admin/totp', expect: signedIn(200) },
  'audit.astro': { path: () => '/admin/audit', expect: adminOnly },
  'enterprises/index.astro': { path: () => '/admin/enterprises', expect: adminOnly },
  'enterprises/[uscc].astro': { path: () => `/admin/enterprises/${uscc}`, expect: adminOnly },
  'enterprises/import.astro': { path: () => '/admin/enterprises/import', expect: adminOnly },
  'operators/index.astro': { path: () => '/admin/operators', expect: adminOnly },
  'operators/[id].astro': { path: () => `/admin/operators/${viewerId}`, expect: adminOnly },
  'hotline.astro': { path: () => '/admin/hotline', expect: adminOnly },
  // The credit record (issue 22): county-scoped like cases; another county's item is not found.
  'campaigns/index.astro': { path: () => '/admin/campaigns', expect: signedIn(200) },
  'campaigns/[id].astro': { path: () => `/admin/campaigns/${credit.campaignA}`, expect: inCountyA },
  'recusals.astro': { path: () => '/admin/recusals', expect: signedIn(200) },
  'visits/[id].astro': { path: () => `/admin/visits/${credit.visitA}`, expect: inCountyA },
  'records/index.astro': { path: () => '/admin/records', expect: signedIn(200) },
  // 举报奖励 (issue 25): a list in scope for every signed-in operator.
  'rewards/index.astro': { path: () => '/admin/rewards', expect: signedIn(200) },
  'records/[uscc].astro': { path: () => `/admin/records/${credit.usccA}`, expect: inCountyA },
  'penalties/index.astro': { path: () => '/admin/penalties', expect: signedIn(200) },
  'penalties/new.astro': {
    path: () => '/admin/penalties/new',
    expect: { signedOut: 'signIn', viewer: 403, handlerA: 200, handlerB: 200, admin: 200 },
  },
  'penalties/[id].astro': { path: () => `/admin/penalties/${credit.penaltyA}`, expect: inCountyA },
  // Signing out is a POST with the session's CSRF token (tested below); a GET is refused.
  // Issue 24: notices to handlers, monthly reports, warnings.
  'notifications.astro': {
    path: () => '/admin/notifications',
    expect: { signedOut: 'signIn', viewer: 403, handlerA: 200, handlerB: 200, admin: 200 },
  },
  'reports/index.astro': {
    path: () => '/admin/reports',
    expect: { signedOut: 'signIn', viewer: 403, handlerA: 200, handlerB: 200, admin: 200 },
  },
  'reports/[month].xlsx.ts': {
    path: () => '/admin/reports/2026-11.xlsx',
    expect: { signedOut: 'signIn', viewer: 403, handlerA: 200, handlerB: 200, admin: 200 },
  },
  'warnings/index.astro': { path: () => '/admin/warnings', expect: signedIn(200) },
  'warnings/[id].astro': { path: () => `/admin/warnings/${warningA}`, expect: inCountyA },
  'warnings/thresholds.astro': { path: () => '/admin/warnings/thresholds', expect: adminOnly },
  // Issue 27: Open311 apps and their keys.
  'open311.astro': { path: () => '/admin/open311', expect: adminOnly },
  'sign-out.astro': {
    path: () => '/admin/sign-out',
    expect: { signedOut: 405, viewer: 405, handlerA: 405, handlerB: 405, admin: 405 },
  },
}

function pageFiles(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name.startsWith('_')) return [] // not a route (a component beside the pages)
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name
    return entry.isDirectory() ? pageFiles(path.join(dir, entry.name), rel) : [rel]
  })
}

const operatorCookie = (role: OperatorRole, countyCode: string | null) =>
  operatorSession(db, role, countyCode)

const fetchAs = (visitor: Visitor, url: string, init: RequestInit = {}) =>
  fetch(new URL(url, baseUrl), {
    ...init,
    redirect: 'manual',
    headers: {
      ...(init.headers as Record<string, string>),
      ...(visitor === 'signedOut' ? {} : { cookie: cookies[visitor] }),
    },
  })

beforeAll(async () => {
  baseUrl = inject('siteUrl')
  db = createDb({ connectionString: inject('siteDatabaseUrl'), max: 1 })
  const viewer = await operatorCookie('viewer', null)
  cookies.viewer = viewer.cookie
  viewerId = viewer.id
  cookies.handlerA = (await operatorCookie('county_handler', countyA)).cookie
  cookies.handlerB = (await operatorCookie('county_handler', countyB)).cookie
  cookies.admin = (await operatorCookie('city_admin', null)).cookie
  const filed = await fetch(new URL('/api/complaints', baseUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.77' },
    body: JSON.stringify({
      kind: 'report',
      category: 'rigged_instrument',
      county: countyA,
      merchantName: '页面矩阵测试摊位',
      address: '城东菜场 3 号',
      occurredAt: '2026-11-20T09:30',
      description: '这家摊位的电子秤疑似被改装，称出来总是多二两。',
      consent: true,
    }),
  })
  const receipt = (await filed.json()) as { trackingNo: string }
  expect(filed.status, JSON.stringify(receipt)).toBe(201)
  const { trackingNo } = receipt
  caseA = (
    await db
      .selectFrom('complaints')
      .select('id')
      .where('trackingNo', '=', trackingNo)
      .executeTakeFirstOrThrow()
  ).id
  warningA = await insertWarning(db, { countyCode: countyA })
  uscc = (await db.selectFrom('enterprises').select('uscc').limit(1).executeTakeFirstOrThrow()).uscc
  const drawn = await insertDrawnVisit(db, { countyCode: countyA, inspectorIds: [] })
  credit.campaignA = drawn.campaignId
  credit.visitA = drawn.visitId
  credit.usccA = drawn.uscc
  credit.penaltyA = (
    await db
      .insertInto('penalties')
      .values({
        uscc: drawn.uscc,
        countyCode: countyA,
        decisionNo: `丽莲市监罚处〔2026〕矩阵${Date.now().toString(36)}号`,
        decidedOn: '2026-11-02',
        kind: 'warning',
        violation: '使用未经检定的电子秤',
        penalty: '警告',
        legalBasis: '《中华人民共和国计量法》第二十六条',
        publishedAt: new Date(),
        publishUntil: '2027-02-02',
      })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id
})

afterAll(() => db.destroy())

describe('the console pages access matrix', () => {
  it('has a row for every console page', () => {
    const files = pageFiles(path.resolve(import.meta.dirname, '../../site/pages/admin'))
    expect(files.sort()).toEqual(Object.keys(matrix).sort())
  })

  for (const [file, row] of Object.entries(matrix)) {
    it.each(visitors)(`${file} as %s`, async (visitor) => {
      const target = row.path()
      const res = await fetchAs(visitor, target)
      const expected = row.expect[visitor]
      if (expected === 'signIn') {
        expect(res.status, `${target} as ${visitor}`).toBe(303)
        const location = new URL(res.headers.get('location')!, baseUrl)
        expect(location.pathname).toBe('/admin/sign-in')
        // The console's home is where sign-in leads anyway, so it needs no `next`.
        expect(location.searchParams.get('next') ?? '/admin').toBe(target)
      } else {
        expect(res.status, `${target} as ${visitor}`).toBe(expected)
      }
      expect(res.headers.get('cache-control')).toBe('no-store')
      if (visitor === 'handlerB' && file === 'cases/[id].astro') {
        expect(await res.text()).not.toContain('页面矩阵测试摊位')
      }
    })
  }

  it("shows on the console's home the overdue and the due-soon cases of the handler's county, to that county only", async () => {
    /** Files a report in county A and sets when it was received and when it is due. */
    const fileWithDue = async (merchantName: string, address: string, dueInMs: number) => {
      const filed = await fetch(new URL('/api/complaints', baseUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.78' },
        body: JSON.stringify({
          kind: 'report',
          category: 'short_weight',
          county: countyA,
          merchantName,
          address,
          occurredAt: '2026-10-20T09:30',
          description: '这家摊位的秤每次都少二两，已经反映过多次。',
          consent: true,
        }),
      })
      const { trackingNo } = (await filed.json()) as { trackingNo: string }
      await db
        .updateTable('complaints')
        .set({
          receivedAt: new Date(Date.now() - 30 * 86_400_000),
          dueAt: new Date(Date.now() + dueInMs),
        })
        .where('trackingNo', '=', trackingNo)
        .execute()
      return trackingNo
    }
    // Due a week ago: overdue now. Due in three hours: due within 2 working days.
    const trackingNo = await fileWithDue('超期测试摊位', '城东菜场 5 号', -7 * 86_400_000)
    const soon = await fileWithDue('即将到期测试摊位', '城东菜场 6 号', 3 * 3_600_000)

    const home = await (await fetchAs('handlerA', '/admin')).text()
    const overdueSection = home.slice(home.indexOf('已超期'), home.indexOf('2 个工作日内到期'))
    expect(overdueSection).toContain(trackingNo)
    expect(overdueSection).not.toContain(soon)
    expect(home.slice(home.indexOf('2 个工作日内到期'))).toContain(soon)
    const otherCounty = await (await fetchAs('handlerB', '/admin')).text()
    expect(otherCounty).not.toContain(trackingNo)
    expect(otherCounty).not.toContain(soon)
  })

  it('refuses a sign-out posted without the session CSRF token: the session stays', async () => {
    const res = await fetchAs('viewer', '/admin/sign-out', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: baseUrl },
      body: '',
    })
    expect(res.status).toBe(403)
    expect((await fetchAs('viewer', '/admin')).status).toBe(200)
  })

  it('refuses a case action posted without the session CSRF token, and changes nothing', async () => {
    const before = await db
      .selectFrom('complaints')
      .select(['version', 'status'])
      .where('id', '=', caseA)
      .executeTakeFirstOrThrow()
    const res = await fetchAs('handlerA', `/admin/cases/${caseA}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: baseUrl },
      body: new URLSearchParams({ action: 'accept', version: String(before.version) }).toString(),
    })
    expect(res.status).toBe(403)
    const after = await db
      .selectFrom('complaints')
      .select(['version', 'status'])
      .where('id', '=', caseA)
      .executeTakeFirstOrThrow()
    expect(after).toEqual(before)
  })
  it('shows a 12345 case’s ticket, signs it with the plain HTML form, and lists the queued callback', async () => {
    const hotline = await insertHotlineCase(db, { county: countyA })
    const page = await (await fetchAs('handlerA', `/admin/cases/${hotline.id}`)).text()
    expect(page).toContain(hotline.ticketNo)
    expect(page).toContain('反映城西农贸市场摊位缺斤短两')
    expect(page).toContain('id="action-sign"')
    expect(page).not.toContain('id="action-accept"')
    const csrf = /name="csrf" value="([^"]+)"/.exec(page)?.[1]
    expect(csrf).toBeDefined()
    const res = await fetchAs('handlerA', `/admin/cases/${hotline.id}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: baseUrl },
      body: new URLSearchParams({
        csrf: csrf!,
        intent: 'action',
        action: 'sign',
        version: '1',
      }).toString(),
    })
    expect(res.status).toBe(303)
    const after = await (await fetchAs('handlerA', res.headers.get('location')!)).text()
    expect(after).toContain('已完成“签收”')
    expect(after).toMatch(/id="case-callbacks"[\s\S]*签收[\s\S]*(等待发送|已送达)/)
    const admin = await fetchAs('admin', '/admin/hotline')
    expect(admin.status).toBe(200)
    expect(await admin.text()).toContain('发送失败的回调')
  })
})
