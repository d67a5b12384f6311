import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/app.ts'
import { signIn as signInVerb } from '../../api/services/admin/auth/sign-in.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { awayFromWindowEdge } from '../support/windows.ts'
import { operatorWithPassword } from './admin-auth-fixtures.ts'

let t: TestContext
let app: ReturnType<typeof createApp>

beforeAll(async () => {
  t = await createTestContext()
  app = createApp(t.deps)
})
afterAll(() => t.cleanup())

function signIn(username: string, password: string, address: string) {
  return app.request(
    '/api/admin/auth/sign-in',
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username, password }),
    },
    { clientAddress: address },
  )
}

/** Address and unknown-name counters live in 15-minute windows. */
const awayFromLockWindowEdge = () => awayFromWindowEdge(15 * 60, 20_000)

const messageOf = async (res: Response) =>
  ((await res.json()) as { error: { message: string } }).error.message

async function operatorRow(id: string) {
  return t.deps.db
    .selectFrom('operators')
    .select(['failedSignIns', 'lockedUntil'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow()
}

describe('per-account lockout', () => {
  it('answers each failure later than the one before, locks at the fifth, and then refuses even the right password', async () => {
    const op = await operatorWithPassword(t.deps.db)
    const took: number[] = []
    for (let i = 1; i <= 4; i++) {
      const started = performance.now()
      const res = await signIn(op.username, `wrong ${i}`, '192.0.2.21')
      took.push(performance.now() - started)
      expect(res.status).toBe(401)
    }
    // 0.25 s, 0.5 s, 1 s, 2 s at least (lower bounds only: a busy machine is only slower).
    expect(took[0]).toBeGreaterThanOrEqual(240)
    expect(took[1]).toBeGreaterThanOrEqual(490)
    expect(took[2]).toBeGreaterThanOrEqual(990)
    expect(took[3]).toBeGreaterThanOrEqual(1990)

    const fifth = await signIn(op.username, 'wrong 5', '192.0.2.21')
    expect(fifth.status).toBe(429)
    expect(Number(fifth.headers.get('retry-after'))).toBeGreaterThan(890)
    expect(await messageOf(fifth)).toMatch(/已暂时锁定.*请在 15 分钟后再试/)

    const right = await signIn(op.username, op.password, '192.0.2.22')
    expect(right.status).toBe(429)
    expect(right.headers.get('retry-after')).not.toBeNull()
    const row = await operatorRow(op.id)
    expect(row.lockedUntil!.getTime() - Date.now()).toBeGreaterThan(14 * 60_000)

    const actions = await t.deps.db
      .selectFrom('auditLog')
      .select('action')
      .where('operatorId', '=', op.id)
      .orderBy('id')
      .execute()
    expect(actions.map((a) => a.action)).toEqual([
      ...Array<string>(5).fill('auth.sign_in_failed'),
      'auth.locked',
    ])
  })

  it('lets the right password in once locked_until has passed, and starts counting again', async () => {
    const op = await operatorWithPassword(t.deps.db)
    for (let i = 0; i < 5; i++) await signIn(op.username, 'wrong', '192.0.2.23')
    const { lockedUntil } = await operatorRow(op.id)
    const input = {
      username: op.username,
      password: op.password,
      clientAddress: '192.0.2.23',
      userAgent: 'test',
    }
    const justBefore = new Date(lockedUntil!.getTime() - 1000)
    await expect(signInVerb({ ctx: t.deps, input: { ...input, now: justBefore } })).rejects.toThrow(
      /锁定/,
    )
    const after = new Date(lockedUntil!.getTime() + 1000)
    const result = await signInVerb({ ctx: t.deps, input: { ...input, now: after } })
    expect(result.stage).toBe('active')
    expect(await operatorRow(op.id)).toEqual({ failedSignIns: 0, lockedUntil: null })
  })

  it('gives a name no account has the same refusal after five tries, so locking reveals no names', async () => {
    await awayFromLockWindowEdge()
    const statuses: number[] = []
    let last = ''
    for (let i = 0; i < 5; i++) {
      const res = await signIn('no.such.person', 'guess', '192.0.2.24')
      statuses.push(res.status)
      last = await messageOf(res)
    }
    expect(statuses).toEqual([401, 401, 401, 401, 429])
    expect(last).toMatch(/已暂时锁定/)
  })
})

describe('per-address limit', () => {
  it('counts wrong passwords on real accounts toward the address limit too, below each account lock', async () => {
    const target = await operatorWithPassword(t.deps.db)
    const guessed = await Promise.all(
      Array.from({ length: 5 }, () => operatorWithPassword(t.deps.db)),
    )
    await awayFromLockWindowEdge()
    // Four wrong passwords for each of five accounts: none is locked, the address has 20.
    await Promise.all(
      guessed.map(async (op) => {
        for (let i = 0; i < 4; i++) {
          expect((await signIn(op.username, `wrong-${i}`, '203.0.113.77')).status).toBe(401)
        }
      }),
    )
    const refused = await signIn(target.username, target.password, '203.0.113.77')
    expect(refused.status).toBe(429)
    expect((await signIn(target.username, target.password, '203.0.113.78')).status).toBe(200)
  })

  it('pauses sign-in from an address after 20 failures in 15 minutes, for every account, not for other addresses', async () => {
    const op = await operatorWithPassword(t.deps.db)
    await awayFromLockWindowEdge()
    // Twenty different unknown names: no account gets near its own lock.
    const statuses = await Promise.all(
      Array.from({ length: 20 }, async (_, i) => {
        const res = await signIn(`guess-${i}`, 'guess', '203.0.113.99')
        return res.status
      }),
    )
    expect(statuses.every((s) => s === 401)).toBe(true)

    const refused = await signIn(op.username, op.password, '203.0.113.99')
    expect(refused.status).toBe(429)
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(await messageOf(refused)).toMatch(/从您的网络登录失败次数过多.*分钟后再试/)

    expect((await signIn(op.username, op.password, '203.0.113.100')).status).toBe(200)
  })
})
