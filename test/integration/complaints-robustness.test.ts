import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { acceptPhotos } from '../../api/photos/accept.ts'
import { parseOccurredAt } from '../../api/services/complaints/schemas.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { exifTiff, jpeg, png } from '../unit/photos-fixtures.ts'
import { countyCodes } from '../../api/domain/counties.ts'

let t: TestContext
let app: ReturnType<typeof createApp>

beforeAll(async () => {
  t = await createTestContext({ env: { COMPLAINT_LIMIT_PER_ADDRESS: '0' } })
  app = createApp(t.deps)
})
afterAll(() => t.cleanup())

const valid = {
  kind: 'report',
  category: 'rigged_instrument',
  county: '331122',
  merchantName: '壶镇水果摊',
  address: '缙云县壶镇',
  occurredAt: '2026-11-24T08:00',
  description: '电子秤被改过，每斤少约一两，多人反映。',
  consent: true,
}

const storedRows = async () =>
  Number(
    (
      await t.deps.db
        .selectFrom('complaints')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  )

function expectErrorShape(body: unknown) {
  const { error } = body as { error: { code: string; message: string; requestId: string } }
  expect(typeof error.code).toBe('string')
  expect(error.message).toMatch(/[\u4e00-\u9fff]/)
  expect(error.requestId).toBeTruthy()
}

/** Anything JSON can carry, for fields that expect something else. */
const anyJson = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
)

/** One field made certainly invalid; the rest of the body is valid. */
const corruption: fc.Arbitrary<[string, unknown]> = fc.oneof(
  fc.tuple(
    fc.constant('kind'),
    anyJson.filter((v) => v !== 'complaint' && v !== 'report'),
  ),
  fc.tuple(
    fc.constant('category'),
    anyJson.filter((v) => typeof v !== 'string' || !/^[a-z_]+$/.test(v)),
  ),
  fc.tuple(
    fc.constant('county'),
    fc
      .oneof(anyJson, fc.constantFrom('330102', '331199', '3311021', ''))
      .filter((v) => !['331100', ...countyCodes].includes(v as string)),
  ),
  fc.tuple(
    fc.constant('occurredAt'),
    fc
      .oneof(
        anyJson,
        fc.constantFrom(
          '2026-02-30T10:00',
          '2026-13-01T00:00',
          '2099-01-01T00:00',
          '2001-01-01T00:00',
          '昨天',
          '2026/11/20 10:00',
        ),
      )
      .filter((v) => {
        if (typeof v !== 'string') return true
        const date = parseOccurredAt(v.trim())
        return !date || date.getTime() > Date.now() + 3600_000 || date.getFullYear() < 2020
      }),
  ),
  fc.tuple(fc.constant('description'), fc.string({ minLength: 5_001, maxLength: 20_000 })),
  fc.tuple(fc.constant('merchantName'), fc.string({ minLength: 201, maxLength: 100_000 })),
  fc.tuple(
    fc.constant('consent'),
    anyJson.filter((v) => v !== true),
  ),
  fc.tuple(
    fc.constant('phone'),
    fc
      .oneof(anyJson, fc.string({ minLength: 20, maxLength: 200 }))
      .filter(
        (v) =>
          !(
            typeof v === 'string' &&
            /^(\+86|0086)?(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$/.test(v.replace(/\s/g, ''))
          ),
      )
      .filter((v) => v !== null && v !== ''),
  ),
  fc.tuple(
    fc.constant('merchantUscc'),
    fc.string({ minLength: 1, maxLength: 40 }).filter((v) => v.trim() !== ''),
  ),
  fc.tuple(fc.constant('claimedQuantity'), fc.oneof(fc.double({ max: -0.001 }), fc.constant(1e9))),
  fc.tuple(fc.constant('website'), fc.webUrl()),
)

describe('bad complaint bodies never become a server error or a stored row', () => {
  it('JSON bodies with a wrong type, a huge string, a bad date, county or code: 4xx, nothing stored', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(corruption, { minLength: 1, maxLength: 3 }), async (changes) => {
        const body: Record<string, unknown> = { ...valid, ...Object.fromEntries(changes) }
        // A valid credit code typed by chance would be accepted: keep only certain failures.
        fc.pre(
          !changes.some(
            ([k, v]) => k === 'merchantUscc' && /^[0-9A-Z]{18}$/.test(String(v).trim()),
          ),
        )
        const res = await app.request('/api/complaints', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(body),
        })
        expect(res.status).toBeGreaterThanOrEqual(400)
        expect(res.status).toBeLessThan(500)
        expectErrorShape(await res.json())
      }),
      { numRuns: 150 },
    )
    expect(await storedRows()).toBe(0)
  })

  it('bodies that are not objects, not JSON, or lie about their content type: 4xx, nothing stored', async () => {
    const payload = fc.oneof(
      fc.string(),
      fc.json(),
      fc.constantFrom('', '{', '[]', 'null', '{"kind":', JSON.stringify(valid).slice(0, 40)),
    )
    const contentType = fc.constantFrom(
      'application/json',
      'multipart/form-data',
      'multipart/form-data; boundary=xyz',
      'application/x-www-form-urlencoded',
      'text/plain',
      'image/jpeg',
      'application/json; charset=gbk',
    )
    await fc.assert(
      fc.asyncProperty(payload, contentType, async (text, type) => {
        const res = await app.request('/api/complaints', {
          method: 'POST',
          headers: { 'content-type': type },
          body: text,
        })
        expect(res.status).toBeGreaterThanOrEqual(400)
        expect(res.status).toBeLessThan(500)
        expectErrorShape(await res.json())
      }),
      { numRuns: 150 },
    )
    expect(await storedRows()).toBe(0)
  })

  it('malformed photos in an otherwise valid form: 400 naming the photo, nothing stored', async () => {
    const fixtures = [jpeg({ exif: exifTiff() }).bytes, png().bytes]
    const badPhoto = fc.oneof(
      fc.uint8Array({ maxLength: 2_000 }),
      // A real photo cut short or with bytes overwritten.
      fc
        .tuple(
          fc.constantFrom(...fixtures),
          fc.nat(),
          fc.uint8Array({ minLength: 1, maxLength: 8 }),
        )
        .map(([bytes, at, noise]) => {
          const copy = Uint8Array.from(bytes)
          copy.set(noise.slice(0, Math.max(0, copy.length - (at % copy.length))), at % copy.length)
          return copy
        }),
      fc
        .tuple(fc.constantFrom(...fixtures), fc.nat())
        .map(([bytes, cut]) => bytes.slice(0, cut % bytes.length)),
    )
    const declared = fc.constantFrom('image/jpeg', 'image/png', 'image/heic', 'text/plain', '')
    await fc.assert(
      fc.asyncProperty(badPhoto, declared, async (bytes, type) => {
        // Only bytes the photo check refuses: a mutation that still makes a sound image is fine.
        let refused = false
        try {
          acceptPhotos([{ name: 'x.jpg', declaredType: type, bytes }])
        } catch {
          refused = true
        }
        fc.pre(refused)
        const form = new FormData()
        for (const [k, v] of Object.entries(valid)) form.set(k, String(v === true ? 'on' : v))
        form.append('photos', new File([Buffer.from(bytes)], '照片.jpg', { type }))
        const res = await app.request('/api/complaints', { method: 'POST', body: form })
        expect(res.status).toBe(400)
        const body = (await res.json()) as { error: { details: { field: string }[] } }
        expect(body.error.details.map((d) => d.field)).toEqual(['photos'])
      }),
      { numRuns: 100 },
    )
    expect(await storedRows()).toBe(0)
  })

  it('refuses a fourth photo and an oversized one', async () => {
    const form = new FormData()
    for (const [k, v] of Object.entries(valid)) form.set(k, String(v === true ? 'on' : v))
    for (let i = 0; i < 4; i++) {
      form.append(
        'photos',
        new File([Buffer.from(png().bytes)], `p${i}.png`, { type: 'image/png' }),
      )
    }
    const four = await app.request('/api/complaints', { method: 'POST', body: form })
    expect(four.status).toBe(400)
    expect(((await four.json()) as { error: { message: string } }).error.message).toContain(
      '最多上传 3 张',
    )

    const big = new FormData()
    for (const [k, v] of Object.entries(valid)) big.set(k, String(v === true ? 'on' : v))
    const huge = new Uint8Array(5 * 1024 * 1024 + 10)
    huge.set(jpeg().bytes)
    big.append('photos', new File([Buffer.from(huge)], 'big.jpg', { type: 'image/jpeg' }))
    const res = await app.request('/api/complaints', { method: 'POST', body: big })
    expect(res.status).toBe(400)
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('5 MB')
    expect(await storedRows()).toBe(0)
  })

  it('refuses a body over the complaint limit with 413', async () => {
    const res = await app.request('/api/complaints', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: 'x'.repeat(t.deps.config.COMPLAINT_BODY_LIMIT_BYTES + 1),
    })
    expect(res.status).toBe(413)
    expect(await storedRows()).toBe(0)
  })
})
