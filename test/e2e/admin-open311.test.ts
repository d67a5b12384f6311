import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createDb, type Db } from '../../db/client.ts'
import { operatorSession } from '../support/operators.ts'

/**
 * Open311 接入 (/admin/open311) against the served product, with the page's plain forms (no
 * script): a city_admin registers an app and is shown its key once; the key works on the
 * product's /open311/v2 at once (a form POST from a server, with no Origin header, is filed);
 * revoked, it is refused on its next call.
 */

let db: Db
let baseUrl: string

beforeAll(() => {
  baseUrl = inject('siteUrl')
  db = createDb({ connectionString: inject('siteDatabaseUrl'), max: 1 })
})
afterAll(() => db.destroy())

const page = (cookie: string, path: string) =>
  fetch(new URL(path, baseUrl), { redirect: 'manual', headers: { cookie } })

const post = (cookie: string, fields: Record<string, string>) =>
  fetch(new URL('/admin/open311', baseUrl), {
    method: 'POST',
    redirect: 'manual',
    headers: {
      cookie,
      origin: baseUrl,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams(fields).toString(),
  })

const listRequests = (key: string) =>
  fetch(new URL(`/open311/v2/requests.json?api_key=${encodeURIComponent(key)}`, baseUrl))

describe('the Open311 page', () => {
  it('registers an app, shows its key once, and revokes it', async () => {
    const admin = await operatorSession(db, 'city_admin')
    const html = await (await page(admin.cookie, '/admin/open311')).text()
    const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1]
    expect(csrf).toBeDefined()

    const created = await post(admin.cookie, {
      csrf: csrf!,
      intent: 'create',
      name: '浏览器测试应用',
      contact: '测试单位 赵工 0578-2999999',
    })
    expect(created.status).toBe(201)
    const shown = await created.text()
    const key = /id="o311-key"[^>]*>(o311_[A-Za-z0-9_-]{32})</.exec(shown)?.[1]
    expect(key).toBeDefined()
    expect((await listRequests(key!)).status).toBe(200)

    // An app's server posts a form without an Origin header: the product files it.
    const filed = await fetch(new URL('/open311/v2/requests.json', baseUrl), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        api_key: key!,
        service_code: 'fuel_dispenser',
        jurisdiction_id: '331127',
        address_string: '景宁县城某加油站',
        description: '加了 200 元的油，油表指针只走了一小格，怀疑加油机计量不准。',
        'attribute[kind]': 'report',
        'attribute[merchant_name]': '城南加油站',
        'attribute[occurred_at]': '2026-11-26T09:10',
        'attribute[consent]': 'true',
      }).toString(),
    })
    expect(filed.status, await filed.clone().text()).toBe(201)
    const [receipt] = (await filed.json()) as { service_request_id: string }[]
    const status = await fetch(
      new URL(`/open311/v2/requests/${receipt!.service_request_id}.xml`, baseUrl),
    )
    expect(status.status).toBe(200)
    expect(await status.text()).toContain('<status>open</status>')

    // The list names the app and the key's first characters, never the key.
    const listed = await (await page(admin.cookie, '/admin/open311')).text()
    expect(listed).toContain('浏览器测试应用')
    expect(listed).toContain(`${key!.slice(0, 9)}…`)
    expect(listed).not.toContain(key!)
    const row = await db
      .selectFrom('open311Clients')
      .select('id')
      .where('keyPrefix', '=', key!.slice(0, 9))
      .where('name', '=', '浏览器测试应用')
      .executeTakeFirstOrThrow()

    const revoked = await post(admin.cookie, { csrf: csrf!, intent: 'revoke', id: row.id })
    expect(revoked.status).toBe(303)
    expect(revoked.headers.get('location')).toBe('/admin/open311?done=revoked')
    const refused = await listRequests(key!)
    expect(refused.status).toBe(403)
    expect(((await refused.json()) as { code: number }[])[0]?.code).toBe(403)
  })

  it("is the city administrators' only", async () => {
    const handler = await operatorSession(db, 'county_handler', '331102')
    expect((await page(handler.cookie, '/admin/open311')).status).toBe(403)
  })
})
