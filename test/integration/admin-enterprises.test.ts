import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import {
  applyEnterpriseRecords,
  type EnterpriseRecord,
} from '../../api/services/enterprises/apply.ts'
import { usccAlphabet, usccCheckCharacter } from '../../api/domain/uscc.ts'
import { beijingDate } from '../../api/domain/beijing-time.ts'
import { outboxHandlers } from '../../api/worker/index.ts'
import { createOutboxWorker, type OutboxWorker } from '../../api/worker/outbox-worker.ts'
import type { CertificationStatus } from '../../db/database.ts'
import { siteDataChannel } from '../../server/site-rebuild-listen.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { signedInOperator, type TestOperator } from '../support/operators.ts'

let t: TestContext
let app: ReturnType<typeof createApp>
let worker: OutboxWorker
let admin: TestOperator
const today = beijingDate()
/** The console stamps the day of the action: the day this file began, or the next in a run across midnight. */
const expectToday = (date: unknown) => expect([today, beijingDate()]).toContain(date)

beforeAll(async () => {
  t = await createTestContext()
  app = createApp(t.deps)
  worker = createOutboxWorker({
    db: t.deps.db,
    handlers: outboxHandlers(t.deps),
    logger: t.deps.logger,
    databaseUrl: t.databaseUrl,
    pollIntervalMs: 250,
  })
  worker.start()
  admin = await signedInOperator(t.deps, 'city_admin')
})

afterAll(async () => {
  await worker.stop()
  await t.cleanup()
})

/** A business of this test's own, stored as the import stores it. */
async function business(
  status: CertificationStatus,
  dates: { validUntil?: string } = {},
): Promise<EnterpriseRecord> {
  let body = '91331102'
  for (const byte of randomBytes(9)) body += usccAlphabet.charAt(byte % usccAlphabet.length)
  const record: EnterpriseRecord = {
    uscc: body + usccCheckCharacter(body),
    name: `测试粮油店${randomBytes(3).toString('hex')}`,
    countyCode: '331102',
    sectorCode: 'grain',
    address: '丽水市莲都区测试路 1 号',
    certifiedAt: '2024-01-10',
    validUntil: dates.validUntil ?? (status === 'expired' ? '2025-01-09' : '2030-01-09'),
    status,
    statusSince: status === 'active' ? undefined : '2025-02-01',
  }
  await applyEnterpriseRecords({ ctx: t.deps, input: { records: [record], source: 'test', today } })
  return record
}

interface Detail {
  status: CertificationStatus
  statusSince: string
  validUntil: string
  name: string
  address: string
  version: string
  allowedActions: string[]
  history: { kind: string; reason: string | null; source: string; validUntil: string | null }[]
}

async function detail(uscc: string, who: TestOperator = admin) {
  const res = await app.request(`/api/admin/enterprises/${uscc}`, { headers: who.headers })
  expect(res.status).toBe(200)
  return (await res.json()) as Detail
}

async function act(uscc: string, body: Record<string, unknown>, who: TestOperator = admin) {
  const res = await app.request(`/api/admin/enterprises/${uscc}/actions`, {
    method: 'POST',
    headers: { ...who.headers, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  })
  const json = (await res.json()) as Detail & { error: { code: string; message: string } }
  return { status: res.status, json }
}

/** Acts with the version the console would show right now. */
async function actNow(uscc: string, body: Record<string, unknown>) {
  return act(uscc, { ...body, version: (await detail(uscc)).version })
}

async function auditOf(uscc: string) {
  return t.deps.db
    .selectFrom('auditLog')
    .select(['action', 'username', 'detail'])
    .where('enterpriseUscc', '=', uscc)
    .orderBy('id')
    .execute()
}

describe('enterprise actions in the console', () => {
  it('suspends an active business: status, history with reason and source, audit entry', async () => {
    const b = await business('active')
    const { status, json } = await actNow(b.uscc, {
      action: 'suspend',
      reason: '专项检查发现未按期检定',
    })
    expect(status).toBe(200)
    expect(json.status).toBe('suspended')
    expectToday(json.statusSince)
    expect(json.allowedActions).toEqual(['reinstate', 'revoke', 'edit'])
    expect(json.history[0]).toMatchObject({
      kind: 'suspended',
      reason: '专项检查发现未按期检定',
      source: `console:${admin.operator.username}`,
    })
    const audit = await auditOf(b.uscc)
    expect(audit).toEqual([
      {
        action: 'enterprise.suspend',
        username: admin.operator.username,
        detail: expect.objectContaining({ statusFrom: 'active', statusTo: 'suspended' }) as unknown,
      },
    ])
  })

  it('refuses to suspend a suspended business, naming its current status', async () => {
    const b = await business('suspended')
    const { status, json } = await actNow(b.uscc, { action: 'suspend', reason: '再次暂停' })
    expect(status).toBe(409)
    expect(json.error.code).toBe('CONFLICT')
    expect(json.error.message).toContain('当前状态为“暂停”，不能暂停')
    expect(json.error.message).toContain('“恢复”')
    expect(await auditOf(b.uscc)).toEqual([])
  })

  it('reinstates a suspended business, and refuses to reinstate an active one', async () => {
    const b = await business('suspended')
    const { status, json } = await actNow(b.uscc, {
      action: 'reinstate',
      reason: '整改完成，复查合格',
    })
    expect(status).toBe(200)
    expect(json.status).toBe('active')
    expectToday(json.statusSince)
    expect(json.history[0]).toMatchObject({ kind: 'reinstated', reason: '整改完成，复查合格' })

    const again = await actNow(b.uscc, { action: 'reinstate', reason: '再次恢复' })
    expect(again.status).toBe(409)
    expect(again.json.error.message).toContain('当前状态为“有效”，不能恢复')
  })

  it('reinstating a business whose validity ran out during the suspension leaves it expired', async () => {
    const b = await business('suspended', { validUntil: '2025-06-30' })
    const { status, json } = await actNow(b.uscc, { action: 'reinstate', reason: '整改完成' })
    expect(status).toBe(200)
    expect(json.status).toBe('expired')
    expect(json.history.slice(0, 2).map((h) => h.kind)).toEqual(['expired', 'reinstated'])
    expect(json.allowedActions).toContain('renew')
  })

  it('renews an expired business with a future date, and refuses a past one or a suspended one', async () => {
    const b = await business('expired')
    const past = await actNow(b.uscc, {
      action: 'renew',
      reason: '复评合格',
      validUntil: '2025-12-31',
    })
    expect(past.status).toBe(400)
    expect(past.json.error.message).toContain('新的有效期应晚于今天')

    const { status, json } = await actNow(b.uscc, {
      action: 'renew',
      reason: '复评合格',
      validUntil: '2031-12-31',
    })
    expect(status).toBe(200)
    expect(json).toMatchObject({ status: 'active', validUntil: '2031-12-31' })
    expectToday(json.statusSince)
    expect(json.history[0]).toMatchObject({ kind: 'renewed', validUntil: '2031-12-31' })

    const suspended = await business('suspended')
    const refused = await actNow(suspended.uscc, {
      action: 'renew',
      reason: '复评合格',
      validUntil: '2031-12-31',
    })
    expect(refused.status).toBe(409)
    expect(refused.json.error.message).toContain('当前状态为“暂停”，不能续期')
  })

  it('revokes a business for good: every later action is refused', async () => {
    const b = await business('expired')
    const { status, json } = await actNow(b.uscc, { action: 'revoke', reason: '计量器具作弊' })
    expect(status).toBe(200)
    expect(json).toMatchObject({ status: 'revoked', allowedActions: [] })
    expectToday(json.statusSince)
    for (const action of ['suspend', 'reinstate', 'revoke', 'renew', 'edit']) {
      const refused = await actNow(b.uscc, {
        action,
        reason: '再试',
        validUntil: '2031-12-31',
        name: '新名称',
      })
      expect(refused.status, action).toBe(409)
      expect(refused.json.error.message, action).toContain('当前状态为“撤销”')
      expect(refused.json.error.message, action).toContain('撤销是最终状态')
    }
    expect((await auditOf(b.uscc)).map((a) => a.action)).toEqual(['enterprise.revoke'])
  })

  it('edits the name and address with a history entry, and refuses an edit that changes nothing', async () => {
    const b = await business('active')
    const { status, json } = await actNow(b.uscc, {
      action: 'edit',
      reason: '营业执照变更',
      name: `${b.name}（新）`,
      address: '丽水市莲都区新地址 2 号',
      county: b.countyCode,
      sector: b.sectorCode,
    })
    expect(status).toBe(200)
    expect(json).toMatchObject({ name: `${b.name}（新）`, address: '丽水市莲都区新地址 2 号' })
    expect(json.status).toBe('active')
    expect(json.history[0]).toMatchObject({ kind: 'amended', reason: '营业执照变更' })
    const [entry] = await auditOf(b.uscc)
    expect(entry?.detail).toMatchObject({ fields: ['name', 'address'] })

    const same = await actNow(b.uscc, { action: 'edit', reason: '无变化', name: `${b.name}（新）` })
    expect(same.status).toBe(400)
    expect(same.json.error.message).toContain('没有需要修改的内容')
    const county = await actNow(b.uscc, { action: 'edit', reason: '改区县', county: '331199' })
    expect(county.status).toBe(400)
    expect(county.json.error.message).toContain('没有代码为 331199 的区县')
  })

  it('requires a reason for every action and writes nothing without one', async () => {
    const b = await business('active')
    for (const reason of [undefined, '', '   ']) {
      const { status, json } = await actNow(b.uscc, { action: 'suspend', reason })
      expect(status).toBe(400)
      expect(json.error.message).toMatch(/请填写变更原因/)
    }
    expect((await detail(b.uscc)).status).toBe('active')
    expect(await auditOf(b.uscc)).toEqual([])
  })

  it('answers 409 for a stale version, and one of two concurrent actions wins', async () => {
    const b = await business('active')
    const { version } = await detail(b.uscc)
    const [first, second] = await Promise.all([
      act(b.uscc, { action: 'suspend', reason: '管理员甲', version }),
      act(b.uscc, { action: 'revoke', reason: '管理员乙', version }),
    ])
    expect([first.status, second.status].sort()).toEqual([200, 409])
    const loser = first.status === 409 ? first : second
    expect(loser.json.error.code).toBe('CONFLICT')
    expect(loser.json.error.message).toContain('已被他人修改')
    expect(await auditOf(b.uscc)).toHaveLength(1)

    const stale = await act(b.uscc, {
      action: 'edit',
      reason: '旧页面',
      name: '旧页面的名称',
      version,
    })
    expect(stale.status).toBe(409)
  })

  it('shows a revocation in the public search within 5 s', async () => {
    const b = await business('active')
    // The first indexing of this business, so the wait below measures only the revocation.
    await waitFor(async () => (await searchStatus(b)).search === 'active', 10_000)

    const started = Date.now()
    const { status } = await actNow(b.uscc, { action: 'revoke', reason: '计量作弊' })
    expect(status).toBe(200)
    const elapsed = await waitFor(async () => {
      const s = await searchStatus(b)
      return s.search === 'revoked' && s.directory === 'revoked'
    }, 5_000)
    expect(Date.now() - started).toBeLessThan(5_000)
    console.info(`revocation visible in search after ${elapsed} ms`)
    // Without a text query the directory reads PostgreSQL: revoked at once.
    const byStatus = await app.request('/api/enterprises?status=revoked&county=331102&pageSize=100')
    const listed = (await byStatus.json()) as { items: { uscc: string }[] }
    expect(listed.items.map((i) => i.uscc)).toContain(b.uscc)
  })
})

describe('publishing to the static site', () => {
  it('a committed change wakes the site rebuilder; counting a complaint against a business does not', async () => {
    const b = await business('active')
    // This file's outbox worker recomputes grades meanwhile, and those writes wake the rebuilder
    // too: each notice is told apart by the server process that sent it.
    const listener = new pg.Client({ connectionString: t.databaseUrl })
    const writer = new pg.Client({ connectionString: t.databaseUrl })
    const heard: { channel: string; pid: number }[] = []
    listener.on('notification', (n) => heard.push({ channel: n.channel, pid: n.processId }))
    await Promise.all([listener.connect(), writer.connect()])
    try {
      await listener.query(`LISTEN ${siteDataChannel}`)
      const { rows } = await writer.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')
      const writerPid = rows[0]!.pid
      const fromWriter = () => heard.filter((n) => n.pid === writerPid)

      await writer.query(
        'UPDATE enterprises SET complaint_count = complaint_count + 1 WHERE uscc = $1',
        [b.uscc],
      )
      await new Promise((r) => setTimeout(r, 300))
      expect(fromWriter()).toEqual([])

      await writer.query('UPDATE enterprises SET updated_at = now() WHERE uscc = $1', [b.uscc])
      await waitFor(() => Promise.resolve(fromWriter().length > 0), 2_000)
      expect(fromWriter()).toEqual([{ channel: siteDataChannel, pid: writerPid }])

      heard.length = 0
      await actNow(b.uscc, { action: 'suspend', reason: '专项检查' })
      await waitFor(() => Promise.resolve(heard.length > 0), 2_000)
      expect(new Set(heard.map((n) => n.channel))).toEqual(new Set([siteDataChannel]))
    } finally {
      await Promise.all([listener.end(), writer.end()])
    }
  })
})

describe('who may manage enterprises', () => {
  it('answers 401 signed out, 403 to county handlers and viewers, 403 without the CSRF token', async () => {
    const b = await business('active')
    const routes = [
      { path: '/api/admin/enterprises', method: 'GET' },
      { path: `/api/admin/enterprises/${b.uscc}`, method: 'GET' },
      { path: `/api/admin/enterprises/${b.uscc}/actions`, method: 'POST' },
    ]
    const body = JSON.stringify({ action: 'suspend', reason: '越权', version: 'x' })
    const handler = await signedInOperator(t.deps, 'county_handler', '331102')
    const viewer = await signedInOperator(t.deps, 'viewer')
    for (const { path, method } of routes) {
      const init = method === 'POST' ? { body, method } : { method }
      const json = { 'content-type': 'application/json' }
      expect((await app.request(path, { ...init, headers: json })).status, path).toBe(401)
      for (const who of [handler, viewer]) {
        const res = await app.request(path, { ...init, headers: { ...who.headers, ...json } })
        expect(res.status, `${who.operator.role} ${path}`).toBe(403)
        expect(((await res.json()) as { error: { message: string } }).error.message).toContain(
          '只有市局管理员',
        )
        expect(res.headers.get('cache-control')).toBe('no-store')
      }
    }
    const noCsrf = await app.request(routes[2]!.path, {
      method: 'POST',
      body,
      headers: { cookie: admin.headers.cookie, 'content-type': 'application/json' },
    })
    expect(noCsrf.status).toBe(403)
    expect((await detail(b.uscc)).status).toBe('active')
  })

  it('describes the four routes in the OpenAPI document', async () => {
    const doc = (await (await app.request('/api/openapi.json')).json()) as {
      paths: Record<string, Record<string, unknown>>
    }
    expect(Object.keys(doc.paths['/api/admin/enterprises'] ?? {})).toEqual(['get'])
    expect(Object.keys(doc.paths['/api/admin/enterprises/{uscc}'] ?? {})).toEqual(['get'])
    expect(Object.keys(doc.paths['/api/admin/enterprises/{uscc}/actions'] ?? {})).toEqual(['post'])
    expect(Object.keys(doc.paths['/api/admin/enterprises/import'] ?? {})).toEqual(['post'])
  })

  it('lists and finds businesses for an administrator', async () => {
    const b = await business('suspended')
    const res = await app.request(
      `/api/admin/enterprises?q=${encodeURIComponent(b.name)}&status=suspended`,
      { headers: admin.headers },
    )
    expect(res.status).toBe(200)
    const page = (await res.json()) as { items: { uscc: string }[]; total: number }
    expect(page.items.map((i) => i.uscc)).toEqual([b.uscc])
    const unknown = await app.request('/api/admin/enterprises/91331102MA2E000000', {
      headers: admin.headers,
    })
    expect(unknown.status).toBe(404)
  })
})

async function searchStatus(b: EnterpriseRecord) {
  const q = encodeURIComponent(b.name)
  const search = (await (await app.request(`/api/search?q=${q}&limit=50`)).json()) as {
    enterprises: { uscc: string; status: string }[]
  }
  const directory = (await (
    await app.request(`/api/enterprises?q=${q}&status=revoked&pageSize=100`)
  ).json()) as { items: { uscc: string; status: string }[] }
  return {
    search: search.enterprises.find((e) => e.uscc === b.uscc)?.status,
    directory: directory.items.find((e) => e.uscc === b.uscc)?.status,
  }
}

/** Polls until `done` holds; returns how long it took, or throws after `timeoutMs`. */
async function waitFor(done: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now()
  for (;;) {
    if (await done()) return Date.now() - started
    if (Date.now() - started > timeoutMs) throw new Error(`not reached within ${timeoutMs} ms`)
    await new Promise((r) => setTimeout(r, 50))
  }
}
