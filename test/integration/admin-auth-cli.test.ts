import { execFile } from 'node:child_process'
import path from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createApp } from '../../api/http/app.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'

let t: TestContext
let app: ReturnType<typeof createApp>

beforeAll(async () => {
  t = await createTestContext()
  app = createApp(t.deps)
})
afterAll(() => t.cleanup())

const root = path.resolve(import.meta.dirname, '../..')

/** `npm run admin:create -- …` as a child process, against this file's database and indexes. */
async function adminCreate(...args: string[]) {
  const { config } = t.deps
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'scripts/admin-create.ts', ...args],
      {
        cwd: root,
        env: {
          ...process.env,
          NODE_ENV: 'test',
          DATABASE_URL: t.databaseUrl,
          MEILI_URL: inject('meiliUrl'),
          MEILI_MASTER_KEY: inject('meiliKey'),
          MEILI_INDEX_PREFIX: config.MEILI_INDEX_PREFIX,
          PII_KEYS: config.PII_KEYS,
          PII_HASH_KEY: config.PII_HASH_KEY,
        },
      },
    )
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

const operatorNamed = (username: string) =>
  t.deps.db.selectFrom('operators').selectAll().where('username', '=', username).executeTakeFirst()

describe('npm run admin:create', () => {
  it('prints a one-time password once, which signs in at stage change_password', async () => {
    const run = await adminCreate(
      '--username',
      'li.si',
      '--role',
      'county_handler',
      '--county',
      '331121',
    )
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toContain('已创建账号 li.si（青田县 · 区县承办人）')
    const password = /一次性密码：(\S+)/.exec(run.stdout)?.[1]
    expect(password).toMatch(/^[\w]{5}(-[\w]{5}){3}$/)

    const row = await operatorNamed('li.si')
    expect(row).toMatchObject({
      role: 'county_handler',
      countyCode: '331121',
      mustChangePassword: true,
    })
    expect(row!.passwordHash).toMatch(/^\$argon2id\$v=19\$/)
    expect(row!.passwordHash).not.toContain(password!)

    const res = await app.request('/api/admin/auth/sign-in', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'li.si', password }),
    })
    expect(res.status).toBe(200)
    expect(await res.json()).toMatchObject({ stage: 'change_password' })

    const audit = await t.deps.db
      .selectFrom('auditLog')
      .select(['action', 'detail'])
      .where('action', '=', 'operator.created')
      .execute()
    expect(audit).toHaveLength(1)
    expect(audit[0]!.detail).toMatchObject({ username: 'li.si', role: 'county_handler' })
    expect(JSON.stringify(audit)).not.toContain(password!)
  })

  it.each([
    [['--username', 'Wang Wu', '--role', 'viewer'], '用户名“Wang Wu”不符合要求'],
    [['--username', 'wang.wu', '--role', 'boss'], '角色“boss”不存在'],
    [['--username', 'wang.wu', '--role', 'county_handler'], '区县承办人必须指定所属区县'],
    [['--username', 'wang.wu', '--role', 'city_admin', '--county', '331102'], '不能指定区县'],
    [['--username', 'wang.wu', '--role', 'viewer', '--county', '331100'], '区县代码“331100”不正确'],
    [['--username', 'wang.wu', '--role', 'viewer', '--country', '331102'], '有不认识的选项'],
    [['--role', 'viewer'], '缺少用户名'],
  ])('refuses %j with exit code 1 and says how to fix it', async (args, message) => {
    const run = await adminCreate(...args)
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(message)
    expect(run.stdout).not.toContain('一次性密码')
    expect(await operatorNamed('wang.wu')).toBeUndefined()
  })

  it('refuses a username that is taken', async () => {
    expect((await adminCreate('--username', 'zhao.liu', '--role', 'viewer')).code).toBe(0)
    const again = await adminCreate('--username', 'zhao.liu', '--role', 'city_admin')
    expect(again.code).toBe(1)
    expect(again.stderr).toContain('用户名“zhao.liu”已被使用')
    expect((await operatorNamed('zhao.liu'))!.role).toBe('viewer')
  })
})
