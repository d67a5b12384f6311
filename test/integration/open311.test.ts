import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import type { CaseQueue } from '../../api/services/admin/cases/schemas.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { parseOpen311Xml, unknownElements } from '../support/open311-xml.ts'
import { signedInOperator, type TestOperator } from '../support/operators.ts'
import { cityAdmin, postRequest, registerApp, requestForm, type App } from './open311-support.ts'

// Issue 27, item 3 (acceptance 3) and 4: Open311 GeoReport v2 onto the one complaint intake.

let t: TestContext
let app: App
let admin: TestOperator
let handler: TestOperator
let apiKey: string

/** The resident's own words and numbers, which no public answer may ever contain. */
const personal = {
  last_name: '欧阳',
  first_name: '明珠',
  phone: '13912345678',
  address_string: '莲都区解放街 88 号 3 单元 501 室对面的水果摊',
  description:
    '我在这家水果摊买了 3 斤苹果，回家用自家的秤称只有 2 斤 6 两，我的电话 13912345678。',
  'attribute[merchant_name]': '解放街老李水果摊',
}
const personalValues = ['欧阳', '明珠', '13912345678', '解放街', '老李水果摊', '3 单元 501']

const reply = '经核查，商户的电子秤计量不准，已责令停用并退还差价。如有疑问请致电 13912345678。'

beforeAll(async () => {
  t = await createTestContext()
  app = createApp(t.deps)
  admin = await cityAdmin(t.deps)
  handler = await signedInOperator(t.deps, 'county_handler', '331102')
  apiKey = (await registerApp(app, admin)).apiKey
})
afterAll(() => t.cleanup())

const get = (path: string, address = '198.51.100.20') =>
  app.request(path, {}, { clientAddress: address })

async function file(overrides: Record<string, string | undefined> = {}) {
  const res = await postRequest(app, requestForm(apiKey, overrides))
  expect(res.status, await res.clone().text()).toBe(201)
  const [receipt] = (await res.json()) as {
    service_request_id: string
    service_notice: string
    account_id: null
  }[]
  return receipt!
}

async function caseIdOf(trackingNo: string) {
  const row = await t.deps.db
    .selectFrom('complaints')
    .select('id')
    .where('trackingNo', '=', trackingNo)
    .executeTakeFirstOrThrow()
  return row.id
}

async function actOk(id: string, body: Record<string, unknown>) {
  const res = await app.request(`/api/admin/cases/${id}/actions`, {
    method: 'POST',
    headers: { ...handler.headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  expect(res.status, await res.clone().text()).toBe(200)
}

function expectNoPersonalData(body: string) {
  for (const value of personalValues) expect(body, value).not.toContain(value)
}

function expectOpen311Errors(body: unknown, status: number) {
  expect(Array.isArray(body)).toBe(true)
  const errors = body as { code: unknown; description: unknown }[]
  expect(errors.length).toBeGreaterThan(0)
  for (const e of errors) {
    expect(Object.keys(e).sort()).toEqual(['code', 'description'])
    expect(e.code).toBe(status)
    expect(typeof e.description).toBe('string')
  }
}

describe('a request filed through /open311/v2/requests.json (acceptance 3)', () => {
  it('becomes a complaint a handler sees in the console, and comes back with its status and published reply in JSON and XML, never with personal data', async () => {
    const receipt = await file(personal)
    expect(receipt.service_request_id).toMatch(/^JL\d{8}-\d{4}-\d{4}$/)
    expect(receipt.account_id).toBeNull()
    expect(receipt.service_notice).toContain(receipt.service_request_id)
    expect(receipt.service_notice).toMatch(/查询码 [0-9A-Z]{4}-[0-9A-Z]{4}/)

    const queue = await app.request('/api/admin/cases', { headers: handler.headers })
    expect(queue.status).toBe(200)
    const listed = ((await queue.json()) as CaseQueue).items.map((i) => i.trackingNo)
    expect(listed).toContain(receipt.service_request_id)

    // Sealed at rest like any complaint: the name and phone are not in the row in clear.
    const row = await t.deps.db
      .selectFrom('complaints')
      .selectAll()
      .where('trackingNo', '=', receipt.service_request_id)
      .executeTakeFirstOrThrow()
    expect(row.nameSealed).not.toBeNull()
    expect(row.phoneSealed!.toString('latin1')).not.toContain('13912345678')

    const id = await caseIdOf(receipt.service_request_id)
    const open = (await (
      await get(`/open311/v2/requests/${receipt.service_request_id}.json`)
    ).json()) as Record<string, string>[]
    expect(open).toHaveLength(1)
    expect(open[0]).toMatchObject({
      service_request_id: receipt.service_request_id,
      status: 'open',
      service_code: 'short_weight',
      service_name: '缺斤短两',
      agency_responsible: '莲都区市场监督管理局',
    })
    expect(open[0]!.status_notes).toContain('已接收')
    expect(open[0]!.expected_datetime).toMatch(/\+08:00$/)

    await actOk(id, { action: 'accept', version: 1 })
    await actOk(id, { action: 'mediate', version: 2, mediationResult: 'agreed', note: '同意。' })
    await actOk(id, {
      action: 'complete',
      version: 3,
      finding: 'substantiated',
      followUp: 'mediated',
      handlingResult: '电子秤检定不合格。',
      publicReply: reply,
    })

    const one = await get(`/open311/v2/requests/${receipt.service_request_id}.json`)
    expect(one.status).toBe(200)
    expect(one.headers.get('content-type')).toContain('application/json')
    const oneText = await one.text()
    const [closed] = JSON.parse(oneText) as Record<string, string>[]
    expect(closed!.status).toBe('closed')
    expect(closed!.status_notes).toContain('已办结')
    expect(closed!.status_notes).toContain('已责令停用并退还差价')
    // The number the handler wrote in the reply is masked.
    expect(closed!.status_notes).toContain('139****5678')
    expect(closed!).not.toHaveProperty('expected_datetime')

    const xml = await get(`/open311/v2/requests/${receipt.service_request_id}.xml`)
    expect(xml.status).toBe(200)
    expect(xml.headers.get('content-type')).toContain('text/xml')
    const xmlText = await xml.text()
    const parsed = parseOpen311Xml(xmlText) as {
      service_requests: { request: Record<string, string>[] }
    }
    expect(unknownElements(parsed)).toEqual([])
    expect(parsed.service_requests.request[0]).toMatchObject({
      service_request_id: receipt.service_request_id,
      status: 'closed',
      status_notes: closed!.status_notes,
      service_code: 'short_weight',
    })

    const list = await get(
      `/open311/v2/requests.json?service_request_id=${receipt.service_request_id}`,
    )
    const listXml = await get('/open311/v2/requests.xml')
    const listText = await list.text()
    const listXmlText = await listXml.text()
    expect(JSON.parse(listText)).toEqual(JSON.parse(oneText))
    expect(unknownElements(parseOpen311Xml(listXmlText))).toEqual([])
    expect(listXmlText).toContain(receipt.service_request_id)
    for (const body of [oneText, xmlText, listText, listXmlText]) expectNoPersonalData(body)
  })

  it('answers a retry with the same Idempotency-Key with the first receipt', async () => {
    const form = requestForm(apiKey, {
      description: '同一份投诉因为网络中断重试了一次，内容完全相同。',
    })
    const headers = { 'idempotency-key': 'retry-7f3a9c' }
    const first = await postRequest(app, form, { headers })
    const again = await postRequest(app, form, { headers })
    expect(first.status).toBe(201)
    expect(again.status).toBe(201)
    expect(again.headers.get('idempotent-replayed')).toBe('true')
    expect(await again.json()).toEqual(await first.json())
  })

  it('answers for a request merged into a web case with the handling of that case', async () => {
    const receipt = await file({ description: '秤不准，少了三两。（合并办理）' })
    const web = await app.request(
      '/api/complaints',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          kind: 'complaint',
          category: 'short_weight',
          county: '331102',
          merchantName: '城东农贸市场 12 号摊位',
          address: '莲都区城东农贸市场 12 号摊位',
          occurredAt: '2026-11-26T09:10',
          description: '同一摊位的秤少了二两。（网上，合并办理）',
          name: '赵敏',
          phone: '13800009876',
          consent: true,
        }),
      },
      { clientAddress: '192.0.2.45' },
    )
    expect(web.status).toBe(201)
    const webId = await caseIdOf(((await web.json()) as { trackingNo: string }).trackingNo)
    const merged = await app.request(`/api/admin/cases/${webId}/merge`, {
      method: 'POST',
      headers: { ...handler.headers, 'content-type': 'application/json' },
      body: JSON.stringify({
        duplicateId: await caseIdOf(receipt.service_request_id),
        version: 1,
      }),
    })
    expect(merged.status, await merged.clone().text()).toBe(200)
    const replyOfWeb = '经核查，该摊位电子秤偏差超差，已责令改正。'
    await actOk(webId, { action: 'accept', version: 2 })
    await actOk(webId, { action: 'mediate', version: 3, mediationResult: 'agreed', note: '同意。' })
    await actOk(webId, {
      action: 'complete',
      version: 4,
      finding: 'substantiated',
      followUp: 'mediated',
      handlingResult: '电子秤检定不合格。',
      publicReply: replyOfWeb,
    })
    const [answer] = (await (
      await get(`/open311/v2/requests/${receipt.service_request_id}.json`)
    ).json()) as Record<string, string>[]
    expect(answer!.status).toBe('closed')
    expect(answer!.status_notes).toContain('已办结')
    expect(answer!.status_notes).toContain(replyOfWeb)
    // The other resident is nowhere in it.
    expect(JSON.stringify(answer)).not.toContain('赵敏')
    expect(JSON.stringify(answer)).not.toContain('13800009876')
  })

  it('lists only requests filed through Open311, not web complaints', async () => {
    const web = await app.request(
      '/api/complaints',
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          kind: 'report',
          category: 'short_weight',
          county: '331102',
          merchantName: '网上举报的摊位',
          address: '莲都区某菜场',
          occurredAt: '2026-11-26T09:10',
          description: '这是一件在网站上提交的举报，不应出现在 Open311 中。',
          consent: true,
        }),
      },
      { clientAddress: '192.0.2.44' },
    )
    expect(web.status).toBe(201)
    const { trackingNo } = (await web.json()) as { trackingNo: string }
    expect((await get(`/open311/v2/requests/${trackingNo}.json`)).status).toBe(404)
    const listed = (await (await get('/open311/v2/requests.json')).json()) as {
      service_request_id: string
    }[]
    expect(listed.map((r) => r.service_request_id)).not.toContain(trackingNo)
  })
})

describe("refusals in the specification's error format (acceptance 3)", () => {
  it("refuses a request without the resident's consent, in JSON and XML, and files nothing", async () => {
    const before = await t.deps.db
      .selectFrom('complaints')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow()
    for (const consent of [undefined, 'false', '', 'on']) {
      const res = await postRequest(app, requestForm(apiKey, { 'attribute[consent]': consent }))
      expect(res.status).toBe(400)
      const errors = (await res.json()) as { code: number; description: string }[]
      expectOpen311Errors(errors, 400)
      expect(errors.map((e) => e.description).join()).toContain('attribute[consent]')
    }
    const xml = await postRequest(app, requestForm(apiKey, { 'attribute[consent]': undefined }), {
      format: 'xml',
    })
    expect(xml.status).toBe(400)
    const parsed = parseOpen311Xml(await xml.text()) as {
      errors: { error: { code: string; description: string }[] }
    }
    expect(unknownElements(parsed)).toEqual([])
    expect(parsed.errors.error[0]!.code).toBe('400')
    expect(parsed.errors.error[0]!.description).toContain('个人信息保护说明')
    const after = await t.deps.db
      .selectFrom('complaints')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow()
    expect(after.n).toBe(before.n)
  })

  it('refuses a bad, unknown or revoked api_key with 403, and a missing one with 400', async () => {
    const bad = await postRequest(app, requestForm('o311_not-a-key'))
    expect(bad.status).toBe(403)
    expectOpen311Errors(await bad.json(), 403)
    const unknown = await postRequest(app, requestForm(`o311_${'A'.repeat(32)}`), { format: 'xml' })
    expect(unknown.status).toBe(403)
    const parsed = parseOpen311Xml(await unknown.text())
    expect(unknownElements(parsed)).toEqual([])
    expect(JSON.stringify(parsed)).toContain('403')

    const registered = await registerApp(app, admin, '将被注销的应用')
    const revoke = await app.request(`/api/admin/open311/clients/${registered.client.id}/revoke`, {
      method: 'POST',
      headers: admin.headers,
    })
    expect(revoke.status).toBe(200)
    const revoked = await postRequest(app, requestForm(registered.apiKey))
    expect(revoked.status).toBe(403)
    expectOpen311Errors(await revoked.json(), 403)
    const withKey = await get(`/open311/v2/requests.json?api_key=${registered.apiKey}`)
    expect(withKey.status).toBe(403)

    const missing = await postRequest(app, requestForm('', {}))
    expect(missing.status).toBe(400)
    expectOpen311Errors(await missing.json(), 400)
  })

  it('names each wrong field as the request named it', async () => {
    const res = await postRequest(
      app,
      requestForm(apiKey, { 'attribute[merchant_name]': '', phone: undefined, description: '短' }),
    )
    expect(res.status).toBe(400)
    const descriptions = ((await res.json()) as { description: string }[]).map((e) => e.description)
    expect(descriptions.some((d) => d.startsWith('attribute[merchant_name]：'))).toBe(true)
    expect(descriptions.some((d) => d.startsWith('description：'))).toBe(true)
    expect(descriptions.some((d) => d.startsWith('phone：'))).toBe(true)
  })

  it('answers unknown services, requests and paths with 404 in the asked format', async () => {
    for (const path of [
      '/open311/v2/services/no_such.json',
      '/open311/v2/requests/JL20260101-0000-0000.json',
      '/open311/v2/nothing.json',
      '/open311/v2/services.json?jurisdiction_id=110000',
    ]) {
      const res = await get(path)
      expect(res.status, path).toBe(404)
      expectOpen311Errors(await res.json(), 404)
    }
    const xml = await get('/open311/v2/services/no_such.xml')
    expect(xml.status).toBe(404)
    expect(unknownElements(parseOpen311Xml(await xml.text()))).toEqual([])
  })
})

describe("services and discovery in the specification's element names (acceptance 4)", () => {
  it('lists the complaint categories as services, in Chinese, in JSON and in XML that parses', async () => {
    const json = (await (await get('/open311/v2/services.json?jurisdiction_id=331102')).json()) as {
      service_code: string
      service_name: string
      metadata: boolean
      type: string
    }[]
    expect(json.map((s) => s.service_code)).toContain('short_weight')
    expect(json.find((s) => s.service_code === 'fuel_dispenser')).toMatchObject({
      service_name: '加油机计量',
      metadata: true,
      type: 'realtime',
    })
    const parsed = parseOpen311Xml(await (await get('/open311/v2/services.xml')).text()) as {
      services: { service: { service_code: string; service_name: string }[] }
    }
    expect(unknownElements(parsed)).toEqual([])
    expect(parsed.services.service.map((s) => s.service_code)).toEqual(
      json.map((s) => s.service_code),
    )
  })

  it("defines each service's attributes, the resident's consent required", async () => {
    const json = (await (await get('/open311/v2/services/short_weight.json')).json()) as {
      attributes: { code: string; required: boolean; datatype: string }[]
    }
    const consent = json.attributes.find((a) => a.code === 'consent')
    expect(consent).toMatchObject({ required: true, datatype: 'singlevaluelist' })
    expect(json.attributes.find((a) => a.code === 'kind')?.required).toBe(true)
    const xml = parseOpen311Xml(await (await get('/open311/v2/services/short_weight.xml')).text())
    expect(unknownElements(xml)).toEqual([])
    const discovery = parseOpen311Xml(await (await get('/open311/v2/discovery.xml')).text())
    expect(unknownElements(discovery)).toEqual([])
    expect(JSON.stringify(discovery)).toContain('/open311/v2')
  })

  it("writes a POST's answer as <service_requests><request>", async () => {
    const res = await postRequest(
      app,
      requestForm(apiKey, { description: '用 XML 格式提交的一份投诉，内容与其他的不同。' }),
      { format: 'xml' },
    )
    expect(res.status).toBe(201)
    const parsed = parseOpen311Xml(await res.text()) as {
      service_requests: { request: Record<string, string>[] }
    }
    expect(unknownElements(parsed)).toEqual([])
    expect(parsed.service_requests.request[0]!.service_request_id).toMatch(/^JL/)
  })
})

describe('the limit per api_key', () => {
  it('holds under a burst of parallel calls: exactly the limit pass', async () => {
    const limited = createApp({ ...t.deps, config: { ...t.deps.config, OPEN311_LIMIT_PER_KEY: 5 } })
    const { apiKey: key } = await registerApp(limited, admin, '限流测试应用')
    const answers = await Promise.all(
      Array.from({ length: 20 }, async (_, i) =>
        limited.request(
          `/open311/v2/requests.json?api_key=${key}`,
          {},
          // Different addresses: the key, not the network, is what is counted.
          { clientAddress: `198.51.100.${100 + i}` },
        ),
      ),
    )
    const statuses = answers.map((a) => a.status)
    expect(statuses.filter((s) => s === 200)).toHaveLength(5)
    expect(statuses.filter((s) => s === 429)).toHaveLength(15)
    const refused = answers.find((a) => a.status === 429)!
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    expectOpen311Errors(await refused.json(), 429)
  })
})

describe('the OpenAPI document', () => {
  it('describes every Open311 operation, each served at its path in both formats', async () => {
    const doc = (await (await app.request('/api/openapi.json')).json()) as {
      paths: Record<string, Record<string, { operationId: string }>>
    }
    const operations = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/open311/v2/'))
      .flatMap(([path, item]) => Object.keys(item).map((method) => ({ path, method })))
    expect(operations).toHaveLength(6)
    for (const { path, method } of operations) {
      for (const format of ['json', 'xml']) {
        const url = path
          .replace('{format}', format)
          .replace('{service_code}', 'optical')
          .replace('{service_request_id}', 'JL20260101-0000-0000')
        const res = await app.request(
          url,
          method === 'post'
            ? {
                method: 'POST',
                headers: { 'content-type': 'application/x-www-form-urlencoded' },
                body: 'api_key=',
              }
            : {},
          { clientAddress: '198.51.100.30' },
        )
        const body = await res.text()
        // Served: an answer of its own, not the "no such interface" of an unknown path.
        expect(body, `${method} ${url}`).not.toContain('没有这个 Open311 接口')
        expect(res.status, `${method} ${url}`).toBeLessThan(500)
      }
    }
  })
})
