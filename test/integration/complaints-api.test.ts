import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { decryptField } from '../../api/privacy/pii.ts'
import { completeDeps } from '../../api/wiring/deps-from-config.ts'
import { applyEnterpriseRecords } from '../../api/services/enterprises/apply.ts'
import { generateDemoRecords } from '../../scripts/demo/generate.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { awayFromWindowEdge } from '../support/windows.ts'
import { cameraCanary, contains, exifTiff, jpeg } from '../unit/photos-fixtures.ts'

let t: TestContext
let app: ReturnType<typeof createApp>
const business = generateDemoRecords(3)[0]!

const phone = '13812345678'
const name = '王小明'

/** A valid 投诉 as JSON; each test changes what it needs. */
function complaint(overrides: Record<string, unknown> = {}) {
  return {
    kind: 'complaint',
    category: 'short_weight',
    county: '331102',
    merchantName: '城东菜场 12 号摊位',
    address: '莲都区城东菜场 12 号',
    occurredAt: '2026-11-20T09:30',
    description: '买了一斤猪肉，回家复秤只有八两，少了二两。',
    name,
    phone,
    consent: true,
    claimedQuantity: 1,
    measuredQuantity: 0.8,
    unit: 'jin',
    unitPrice: 18,
    ...overrides,
  }
}

const post = (body: unknown, headers: Record<string, string> = {}, address = '192.0.2.10') =>
  app.request(
    '/api/complaints',
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    },
    { clientAddress: address },
  )

interface Receipt {
  trackingNo: string
  queryCode: string
  status: string
  dueAt: string
}

beforeAll(async () => {
  t = await createTestContext({
    env: { COMPLAINT_LIMIT_PER_ADDRESS: '1000', COMPLAINT_LIMIT_PER_PHONE: '1000' },
  })
  app = createApp(t.deps)
  await applyEnterpriseRecords({
    ctx: t.deps,
    input: { records: [business], source: 'test', today: '2026-11-26' },
  })
})
afterAll(() => t.cleanup())

describe('POST /api/complaints', () => {
  it('files a 投诉 and answers 201 with the tracking number, query code, status and deadline', async () => {
    const res = await post(complaint())
    expect(res.status).toBe(201)
    const receipt = (await res.json()) as Receipt
    expect(receipt.trackingNo).toMatch(/^JL\d{8}-\d{4}-\d{4}$/)
    expect(receipt.queryCode).toMatch(/^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/)
    expect(receipt.status).toBe('received')
    expect(receipt.dueAt).toMatch(/T23:59:59\.999\+08:00$/)

    const row = await t.deps.db
      .selectFrom('complaints')
      .selectAll()
      .where('trackingNo', '=', receipt.trackingNo)
      .executeTakeFirstOrThrow()
    expect(row.shortfallAmount).toBe('3.60')
    expect(row.unit).toBe('jin')
    expect(row.dueAt.getTime()).toBeGreaterThan(row.receivedAt.getTime())
  })

  it('stores name and phone only as ciphertext, readable with the key and bound to the row', async () => {
    const receipt = (await (await post(complaint())).json()) as Receipt
    const raw = await t.deps.db
      .selectFrom('complaints')
      .select(['piiKeyId', 'nameSealed', 'phoneSealed', 'phoneHash'])
      .where('trackingNo', '=', receipt.trackingNo)
      .executeTakeFirstOrThrow()
    const phoneBytes = raw.phoneSealed!
    expect(phoneBytes.includes(Buffer.from(phone))).toBe(false)
    expect(raw.nameSealed!.includes(Buffer.from(name))).toBe(false)
    expect(raw.phoneHash).toHaveLength(32)
    const ring = t.deps.privacy.ring
    const aad = (field: string) => `complaints:${receipt.trackingNo}:${field}`
    expect(decryptField(ring, raw.piiKeyId!, phoneBytes, aad('phone'))).toBe(phone)
    expect(decryptField(ring, raw.piiKeyId!, raw.nameSealed!, aad('name'))).toBe(name)
    // Moved to another row (another tracking number), the ciphertext no longer opens.
    expect(() =>
      decryptField(ring, raw.piiKeyId!, phoneBytes, 'complaints:JL20260101-00001:phone'),
    ).toThrow()
  })

  it('accepts an anonymous 举报 but asks a 投诉 for name and phone, per field and in Chinese', async () => {
    const report = await post(complaint({ kind: 'report', name: '', phone: '' }))
    expect(report.status).toBe(201)

    const res = await post(complaint({ name: '', phone: '12345', consent: false }))
    expect(res.status).toBe(400)
    const body = (await res.json()) as {
      error: { code: string; details: { field: string; message: string }[] }
    }
    expect(body.error.code).toBe('VALIDATION_FAILED')
    const fields = Object.fromEntries(body.error.details.map((d) => [d.field, d.message]))
    expect(Object.keys(fields).sort()).toEqual(['consent', 'name', 'phone'])
    expect(fields.phone).toContain('11 位手机号')
    expect(fields.name).toContain('举报')
  })

  it('refuses a filled honeypot openly instead of dropping the complaint', async () => {
    const count = async () =>
      (await t.deps.db.selectFrom('complaints').select('id').execute()).length
    const before = await count()
    const res = await post(complaint({ website: 'http://spam.example' }))
    expect(res.status).toBe(400)
    const body = (await res.json()) as { error: { message: string } }
    expect(body.error.message).toContain('网址')
    expect(await count()).toBe(before)
  })

  it('answers a repeated Idempotency-Key with the first receipt and stores one complaint', async () => {
    const key = 'retry-0123456789'
    const body = complaint({ description: '同一个提交标识发送了两次，只应生成一份投诉。' })
    const [a, b] = await Promise.all([
      post(body, { 'idempotency-key': key }),
      post(body, { 'idempotency-key': key }),
    ])
    const first = (await a.json()) as Receipt
    const second = (await b.json()) as Receipt
    expect([a.status, b.status]).toEqual([201, 201])
    expect(second).toEqual(first)
    const rows = await t.deps.db
      .selectFrom('complaints')
      .select('id')
      .where('description', '=', body.description)
      .execute()
    expect(rows).toHaveLength(1)

    const other = await post(complaint({ description: '内容不同但用了同一个标识，应被拒绝。' }), {
      'idempotency-key': key,
    })
    expect(other.status).toBe(409)
  })

  it('refuses an Idempotency-Key shorter than 8 or longer than 200 characters with a 400', async () => {
    for (const key of ['abc', 'k'.repeat(201)]) {
      const res = await post(
        complaint({ description: '提交标识的长度不合规定，应被拒绝而不是出错。' }),
        {
          'idempotency-key': key,
        },
      )
      expect(res.status, key).toBe(400)
      const body = (await res.json()) as { error: { details: { field: string }[] } }
      expect(body.error.details[0]!.field).toBe('Idempotency-Key')
    }
  })

  it('files again under a key whose record is past its day, instead of answering with the old receipt', async () => {
    const key = 'stale-0123456789'
    const body = complaint({ description: '一天前用过的提交标识，今天再用应登记为新的投诉。' })
    const first = (await (await post(body, { 'idempotency-key': key })).json()) as Receipt
    await t.deps.db
      .updateTable('idempotencyKeys')
      .set({ createdAt: new Date(Date.now() - 25 * 3600_000) })
      .where('key', '=', key)
      .execute()

    const again = await post(body, { 'idempotency-key': key })
    expect(again.status).toBe(201)
    const second = (await again.json()) as Receipt
    expect(second.trackingNo).not.toBe(first.trackingNo)
    const rows = await t.deps.db
      .selectFrom('complaints')
      .select('trackingNo')
      .where('description', '=', body.description)
      .execute()
    expect(rows.map((r) => r.trackingNo).sort()).toEqual(
      [first.trackingNo, second.trackingNo].sort(),
    )
  })

  it('links a complaint naming a certified business and counts it against that business', async () => {
    const res = await post(complaint({ merchantUscc: business.uscc.toLowerCase() }))
    expect(res.status).toBe(201)
    const { trackingNo } = (await res.json()) as Receipt
    const row = await t.deps.db
      .selectFrom('complaints')
      .select('enterpriseUscc')
      .where('trackingNo', '=', trackingNo)
      .executeTakeFirstOrThrow()
    expect(row.enterpriseUscc).toBe(business.uscc)
    const enterprise = await t.deps.db
      .selectFrom('enterprises')
      .select('complaintCount')
      .where('uscc', '=', business.uscc)
      .executeTakeFirstOrThrow()
    expect(enterprise.complaintCount).toBe(1)
  })

  it('takes a multipart form with a photo: strips its location, stores it, and redirects to the receipt', async () => {
    const photo = jpeg({ exif: exifTiff() })
    expect(contains(photo.bytes, cameraCanary)).toBe(true)
    const form = new FormData()
    for (const [k, v] of Object.entries(complaint({ consent: 'on' }))) form.set(k, String(v))
    form.append(
      'photos',
      new File([Buffer.from(photo.bytes)], 'IMG_0001.jpg', { type: 'image/jpeg' }),
    )
    form.set('idempotencyToken', 'form-token-0001')
    const res = await app.request(
      '/api/complaints',
      { method: 'POST', body: form },
      { clientAddress: '192.0.2.10' },
    )
    expect(res.status).toBe(303)
    const location = res.headers.get('location')!
    expect(location).toMatch(/^\/complaints\/receipt\/JL\d{8}-\d{4}-\d{4}$/)
    const cookie = res.headers.get('set-cookie')!
    expect(cookie).toContain('HttpOnly')
    expect(cookie).toContain('Path=/complaints/receipt')

    const trackingNo = location.split('/').at(-1)!
    const stored = await t.deps.db
      .selectFrom('complaintPhotos as p')
      .innerJoin('complaints as c', 'c.id', 'p.complaintId')
      .select(['p.storageKey', 'p.contentType', 'p.sizeBytes'])
      .where('c.trackingNo', '=', trackingNo)
      .execute()
    expect(stored).toHaveLength(1)
    const file = await t.deps.photos.get(stored[0]!.storageKey)
    expect(file?.contentType).toBe('image/jpeg')
    expect(Buffer.from(file!.bytes).equals(Buffer.from(photo.stripped))).toBe(true)
    expect(contains(file!.bytes, cameraCanary)).toBe(false)
  })

  it('refuses a file that only claims to be a photo, and stores nothing', async () => {
    const before = await t.deps.db.selectFrom('complaints').select('id').execute()
    const form = new FormData()
    for (const [k, v] of Object.entries(complaint({ consent: 'on' }))) form.set(k, String(v))
    form.append('photos', new File(['<html>not a photo</html>'], 'a.jpg', { type: 'image/jpeg' }))
    const res = await app.request('/api/complaints', { method: 'POST', body: form })
    expect(res.status).toBe(400)
    const body = (await res.json()) as { error: { details: { field: string }[] } }
    expect(body.error.details[0]!.field).toBe('photos')
    expect(await t.deps.db.selectFrom('complaints').select('id').execute()).toHaveLength(
      before.length,
    )
  })
})

describe('GET /api/complaints/:trackingNo', () => {
  it('shows status and the public timeline with the right code, and no personal data', async () => {
    const receipt = (await (await post(complaint())).json()) as Receipt
    const res = await app.request(`/api/complaints/${receipt.trackingNo}`, {
      headers: { 'x-query-code': receipt.queryCode.toLowerCase() },
    })
    expect(res.status).toBe(200)
    const text = await res.text()
    expect(text).not.toContain(phone)
    expect(text).not.toContain(name)
    const view = JSON.parse(text) as { status: string; timeline: { kind: string; note: string }[] }
    expect(view.status).toBe('received')
    expect(view.timeline.map((e) => e.kind)).toEqual(['received'])
    expect(view.timeline[0]!.note).toContain('前作出是否受理的决定')
  })

  it('answers an unknown number and a wrong code alike, and slows down repeated wrong codes', async () => {
    const receipt = (await (await post(complaint())).json()) as Receipt
    const ask = (no: string, code: string) =>
      app.request(
        `/api/complaints/${no}`,
        { headers: { 'x-query-code': code } },
        { clientAddress: '198.51.100.7' },
      )
    // Wrong codes are counted in hour windows, and past five, one a minute (track-limits.ts).
    await awayFromWindowEdge(3600, 10_000)
    await awayFromWindowEdge(60, 10_000)
    const wrong = await ask(receipt.trackingNo, 'AAAA-AAAA')
    const unknown = await ask('JL20260101-99999', receipt.queryCode)
    expect([wrong.status, unknown.status]).toEqual([404, 404])
    const strip = (b: { error: { requestId?: string } }) => ({
      ...b,
      error: { ...b.error, requestId: undefined },
    })
    expect(strip((await wrong.json()) as never)).toEqual(strip((await unknown.json()) as never))

    for (let i = 0; i < 4; i++) await ask(receipt.trackingNo, 'BBBB-BBBB')
    const slowed = await ask(receipt.trackingNo, receipt.queryCode)
    expect(slowed.status).toBe(429)
    expect(Number(slowed.headers.get('retry-after'))).toBeGreaterThan(0)
  })
})

describe('abuse limits', () => {
  it('hold across two app instances sharing the database, with Retry-After', async () => {
    const config = {
      ...t.deps.config,
      COMPLAINT_LIMIT_PER_ADDRESS: 3,
      COMPLAINT_LIMIT_PER_PHONE: 0,
    }
    const base = { db: t.deps.db, search: t.deps.search, logger: t.deps.logger }
    const one = createApp(completeDeps(config, base))
    const two = createApp(completeDeps(config, base))
    const send = (target: typeof one, i: number) =>
      target.request(
        '/api/complaints',
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(complaint({ description: `限流测试第 ${i} 份，内容各不相同。` })),
        },
        { clientAddress: '203.0.113.99' },
      )
    await awayFromWindowEdge(3600, 20_000)
    const statuses = [
      (await send(one, 1)).status,
      (await send(two, 2)).status,
      (await send(one, 3)).status,
    ]
    expect(statuses).toEqual([201, 201, 201])
    const refused = await send(two, 4)
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    const body = (await refused.json()) as { error: { message: string } }
    expect(body.error.message).toMatch(/一小时内提交的投诉举报过多.*分钟后再试/)
  })

  it('counts each phone across addresses, and keeps no client address in the counters', async () => {
    const config = {
      ...t.deps.config,
      COMPLAINT_LIMIT_PER_ADDRESS: 0,
      COMPLAINT_LIMIT_PER_PHONE: 2,
    }
    const limited = createApp(completeDeps(config, t.deps))
    const send = (i: number, from: string, phoneNo = '13600002222') =>
      limited.request(
        '/api/complaints',
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(
            complaint({ phone: phoneNo, description: `按电话限流第 ${i} 份，内容各不相同。` }),
          ),
        },
        { clientAddress: from },
      )
    await awayFromWindowEdge(3600, 20_000)
    expect((await send(1, '198.51.100.1')).status).toBe(201)
    expect((await send(2, '198.51.100.2')).status).toBe(201)
    const refused = await send(3, '198.51.100.3')
    expect(refused.status).toBe(429)
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain(
      '同一电话号码',
    )
    expect((await send(4, '198.51.100.3', '13600003333')).status).toBe(201)

    const buckets = await t.deps.db.selectFrom('rateLimitHits').select('bucket').execute()
    expect(buckets.length).toBeGreaterThan(0)
    for (const { bucket } of buckets) {
      expect(bucket).not.toMatch(/\d+\.\d+\.\d+\.\d+/)
      expect(bucket).not.toContain('13600002222')
    }
  })
})
