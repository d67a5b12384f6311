import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { handlerNoticeTopic } from '../../api/services/notifications/notice.ts'
import { createDb, type Db } from '../../db/client.ts'
import { operatorSession } from '../support/operators.ts'

/**
 * 通知设置 (/admin/notifications) against the served product, whose e-mail transport is not
 * configured (no NOTIFY_SMTP_URL): a city_admin adds a recipient with the page's plain form; the
 * product's own worker fans notices out to it; they stay queued, untried, and the page and the
 * console home say how many wait.
 */

// 景宁: a county no other browser test gives notices to.
const county = '331127'
let db: Db
let baseUrl: string

const page = (cookie: string, path: string) =>
  fetch(new URL(path, baseUrl), { redirect: 'manual', headers: { cookie } })

async function csrfOf(cookie: string, path: string): Promise<string> {
  const html = await (await page(cookie, path)).text()
  const token = /name="csrf" value="([^"]+)"/.exec(html)?.[1]
  expect(token).toBeDefined()
  return token!
}

beforeAll(() => {
  baseUrl = inject('siteUrl')
  db = createDb({ connectionString: inject('siteDatabaseUrl'), max: 1 })
})
afterAll(() => db.destroy())

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> {
  const deadline = Date.now() + 20_000
  for (;;) {
    const value = await read()
    if (done(value) || Date.now() > deadline) return value
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

describe('the notifications page', () => {
  it('adds a recipient, and with e-mail unset says how many notices wait, there and on the home page', async () => {
    const admin = await operatorSession(db, 'city_admin')
    const handler = await operatorSession(db, 'county_handler', county)
    const viewer = await operatorSession(db, 'viewer')
    const address = `jingning.${randomBytes(3).toString('hex')}@handlers.example`

    const created = await fetch(new URL('/admin/notifications', baseUrl), {
      method: 'POST',
      redirect: 'manual',
      headers: {
        cookie: admin.cookie,
        origin: baseUrl,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        csrf: await csrfOf(admin.cookie, '/admin/notifications'),
        intent: 'create',
        countyCode: county,
        kind: 'email',
        address,
        label: '景宁值班邮箱',
      }).toString(),
    })
    expect(created.status).toBe(303)
    expect(created.headers.get('location')).toBe('/admin/notifications?done=created')
    const endpoint = await db
      .selectFrom('notificationEndpoints')
      .select('id')
      .where('address', '=', address)
      .executeTakeFirstOrThrow()

    const tag = randomBytes(3).toString('hex')
    await db
      .insertInto('outbox')
      .values(
        [1, 2].map((n) => ({
          topic: handlerNoticeTopic,
          aggregateKey: `notice:e2e:${tag}:${n}`,
          payload: JSON.stringify({
            countyCode: county,
            type: 'warning.opened',
            title: '预警：测试市场电子秤投诉增多',
            text: '最近 48 小时收到 6 件投诉。',
            data: { windowCount: 6 },
            key: `e2e:${tag}:${n}`,
          }),
        })),
      )
      .execute()
    const rows = await until(
      () =>
        db
          .selectFrom('notificationDeliveries')
          .select(['state', 'attempts'])
          .where('endpointId', '=', endpoint.id)
          .execute(),
      (r) => r.length === 2,
    )
    expect(rows).toEqual([
      { state: 'pending', attempts: 0 },
      { state: 'pending', attempts: 0 },
    ])

    const { n } = await db
      .selectFrom('notificationDeliveries as d')
      .innerJoin('notificationEndpoints as e', 'e.id', 'd.endpointId')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('d.transport', '=', 'email')
      .where('d.state', '=', 'pending')
      .where((eb) => eb.or([eb('e.countyCode', '=', county), eb('e.countyCode', 'is', null)]))
      .executeTakeFirstOrThrow()
    const said = `邮件通知未配置：${n} 条通知正在排队，配置后自动发出。`
    expect(Number(n)).toBeGreaterThanOrEqual(2)

    const settings = await page(handler.cookie, '/admin/notifications')
    expect(settings.status).toBe(200)
    const html = await settings.text()
    expect(html).toContain(said)
    expect(html).toContain(address)
    // A county handler reads; only a city_admin gets the form and the buttons.
    expect(html).not.toContain('name="intent" value="create"')

    const home = await (await page(handler.cookie, '/admin')).text()
    expect(home).toContain(said)
    expect(home).toContain('href="/admin/notifications"')

    expect((await page(viewer.cookie, '/admin/notifications')).status).toBe(403)
  })
})
