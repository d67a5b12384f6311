import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { actOnOperator } from '../../api/services/admin/operators/actions.ts'
import { signIn as signInVerb } from '../../api/services/admin/auth/sign-in.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { awayFromWindowEdge } from '../support/windows.ts'
import { sessionCookieName } from '../../api/services/admin/sessions.ts'
import { codeFor, operatorWithPassword, setCookieOf, withTotp } from './admin-auth-fixtures.ts'

let t: TestContext
let app: ReturnType<typeof createApp>

beforeAll(async () => {
  t = await createTestContext()
  app = createApp(t.deps)
})
afterAll(() => t.cleanup())

async function signIn(username: string, password: string, address: string) {
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

describe('per account and address', () => {
  it('answers each failure later than the one before, pauses that address at the fifth, and lets the owner in from another', async () => {
    const op = await operatorWithPassword(t.deps.db)
    await awayFromLockWindowEdge()
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
    const retryAfter = Number(fifth.headers.get('retry-after'))
    // The pause holds for the rest of this 15-minute window and the whole next one.
    expect(retryAfter).toBeGreaterThan(900)
    expect(retryAfter).toBeLessThanOrEqual(1800)
    expect(await messageOf(fifth)).toMatch(/已暂停从这里登录这个账号.*请在 \d+ 分钟后再试/)

    // Even the right password is not checked from that address until the window ends...
    const right = await signIn(op.username, op.password, '192.0.2.21')
    expect(right.status).toBe(429)
    // ...but a stranger's failures there do not keep the owner out elsewhere.
    expect((await signIn(op.username, op.password, '192.0.2.22')).status).toBe(200)
    expect(await operatorRow(op.id)).toEqual({ failedSignIns: 0, lockedUntil: null })

    const entries = await t.deps.db
      .selectFrom('auditLog')
      .select(['action', 'detail'])
      .where('operatorId', '=', op.id)
      .orderBy('id')
      .execute()
    expect(entries.map((a) => a.action)).toEqual([
      ...Array<string>(5).fill('auth.sign_in_failed'),
      'auth.locked',
      'auth.sign_in',
    ])
    expect(entries[5]!.detail).toMatchObject({ scope: 'account_address', step: 'password' })
  })

  it('checks the right password from that address again only after the next window, and counts afresh', async () => {
    const op = await operatorWithPassword(t.deps.db)
    await awayFromLockWindowEdge()
    for (let i = 0; i < 5; i++) await signIn(op.username, 'wrong', '192.0.2.23')
    const input = {
      username: op.username,
      password: op.password,
      clientAddress: '192.0.2.23',
      userAgent: 'test',
    }
    const windowMs = 15 * 60_000
    const nextWindow = Math.floor(Date.now() / windowMs) * windowMs + windowMs
    // Just after the window turns, the pause still holds: no fresh round of guesses.
    const justAfterTurn = new Date(nextWindow + 1000)
    await expect(
      signInVerb({ ctx: t.deps, input: { ...input, now: justAfterTurn } }),
    ).rejects.toThrow(/已暂停从这里登录这个账号/)
    const afterNext = new Date(nextWindow + windowMs + 1000)
    const result = await signInVerb({ ctx: t.deps, input: { ...input, now: afterNext } })
    expect(result.stage).toBe('active')
    expect(await operatorRow(op.id)).toEqual({ failedSignIns: 0, lockedUntil: null })
  })

  it('gives a name no account has the same answers as an account, so pausing reveals no names', async () => {
    const op = await operatorWithPassword(t.deps.db)
    await awayFromLockWindowEdge()
    const tryFive = async (username: string) => {
      const answers: [number, string][] = []
      for (let i = 0; i < 5; i++) {
        const res = await signIn(username, 'guess', '192.0.2.24')
        answers.push([res.status, await messageOf(res)])
      }
      return answers
    }
    const [unknown, known] = await Promise.all([tryFive('no.such.person'), tryFive(op.username)])
    expect(unknown.map(([status]) => status)).toEqual([401, 401, 401, 401, 429])
    expect(unknown).toEqual(known)
  })
})

describe('per account, from many addresses', () => {
  /** Five wrong passwords from each of `addresses` addresses, all at once. */
  async function distributedGuessing(username: string, addresses: number, prefix: string) {
    await Promise.all(
      Array.from({ length: addresses }, async (_, a) => {
        for (let i = 0; i < 5; i++) await signIn(username, `guess-${a}-${i}`, `${prefix}.${a + 1}`)
      }),
    )
  }

  it('locks a password-only account after 50 failures from ten addresses, audited, until an unlock', async () => {
    const op = await operatorWithPassword(t.deps.db)
    await awayFromLockWindowEdge()
    await distributedGuessing(op.username, 10, '203.0.113')
    const refused = await signIn(op.username, op.password, '198.51.100.200')
    expect(refused.status).toBe(429)
    expect(await messageOf(refused)).toMatch(/近期验证失败次数过多，已暂时锁定/)
    expect((await operatorRow(op.id)).lockedUntil).not.toBeNull()
    const locks = await t.deps.db
      .selectFrom('auditLog')
      .select('detail')
      .where('operatorId', '=', op.id)
      .where('action', '=', 'auth.locked')
      .execute()
    expect(locks.map((l) => (l.detail as { scope: string }).scope).sort()).toEqual([
      'account',
      ...Array<string>(10).fill('account_address'),
    ])

    const admin = await operatorWithPassword(t.deps.db, { role: 'city_admin' })
    await actOnOperator({
      ctx: t.deps,
      input: {
        operator: { id: admin.id, username: admin.username, role: 'city_admin', countyCode: null },
        id: op.id,
        action: 'unlock',
        session: { tokenHash: Buffer.alloc(32) },
        clientAddress: '198.51.100.9',
      },
    })
    expect((await signIn(op.username, op.password, '198.51.100.200')).status).toBe(200)
  })

  it('still lets a city_admin in from an address with no failures, with password and TOTP', async () => {
    const op = await operatorWithPassword(t.deps.db, { role: 'city_admin' })
    const secret = await withTotp(t.deps.db, t.deps.privacy, op.id)
    await awayFromLockWindowEdge()
    await distributedGuessing(op.username, 12, '203.0.114')
    // An address that took part in the guessing is refused, right password or not.
    expect((await signIn(op.username, op.password, '203.0.114.1')).status).toBe(429)

    const res = await signIn(op.username, op.password, '198.51.100.201')
    expect(res.status).toBe(200)
    const body = (await res.json()) as { stage: string; csrfToken: string }
    expect(body.stage).toBe('totp')
    const done = await app.request(
      '/api/admin/auth/totp',
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          cookie: setCookieOf(res, sessionCookieName)!.pair,
          'x-csrf-token': body.csrfToken,
        },
        body: JSON.stringify({ code: codeFor(secret) }),
      },
      { clientAddress: '198.51.100.201' },
    )
    expect(done.status).toBe(200)
    expect(await done.json()).toMatchObject({ stage: 'active' })
    expect((await operatorRow(op.id)).lockedUntil).toBeNull()
  })
})

describe('a stranger against a city_admin', () => {
  it('after 50 failures from one address, the admin signs in from another with password and TOTP', async () => {
    const op = await operatorWithPassword(t.deps.db, { role: 'city_admin' })
    const secret = await withTotp(t.deps.db, t.deps.privacy, op.id)
    await awayFromLockWindowEdge()
    const stranger = await Promise.all(
      Array.from({ length: 50 }, (_, i) => signIn(op.username, `guess-${i}`, '203.0.113.250')),
    )
    expect(stranger.every((r) => r.status === 401 || r.status === 429)).toBe(true)

    const res = await signIn(op.username, op.password, '198.51.100.202')
    expect(res.status).toBe(200)
    const body = (await res.json()) as { stage: string; csrfToken: string }
    expect(body.stage).toBe('totp')
    const done = await app.request(
      '/api/admin/auth/totp',
      {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          cookie: setCookieOf(res, sessionCookieName)!.pair,
          'x-csrf-token': body.csrfToken,
        },
        body: JSON.stringify({ code: codeFor(secret) }),
      },
      { clientAddress: '198.51.100.202' },
    )
    expect(done.status).toBe(200)
    expect(await done.json()).toMatchObject({ stage: 'active' })
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
