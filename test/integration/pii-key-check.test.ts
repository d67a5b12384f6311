import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inject } from 'vitest'
import { parseConfig } from '../../api/config.ts'
import { createApp } from '../../api/http/app.ts'
import { createLogger } from '../../api/logger.ts'
import { bootStack } from '../../scripts/stack/index.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'

const root = path.resolve(import.meta.dirname, '../..')
const key = () => randomBytes(32).toString('base64')

let t: TestContext
const folders: string[] = []
const hashKey = key()
const first = `k1:${key()}`

beforeAll(async () => {
  t = await createTestContext()
})
afterAll(async () => {
  await t.cleanup()
  for (const dir of folders) await rm(dir, { recursive: true, force: true })
})

async function dataDir() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'lishui-keys-'))
  folders.push(dir)
  return dir
}

/** What a replica given the shared services (as production runs) is started with. */
function env(keys: { PII_KEYS?: string; PII_HASH_KEY?: string }, dir: string) {
  return {
    NODE_ENV: 'test',
    DATABASE_URL: t.databaseUrl,
    MEILI_URL: inject('meiliUrl'),
    MEILI_MASTER_KEY: inject('meiliKey'),
    MEILI_INDEX_PREFIX: t.deps.config.MEILI_INDEX_PREFIX,
    DATA_DIR: dir,
    LOG_LEVEL: 'silent',
    ...keys,
  }
}

/** Boots the stack as `npm start` does with the services given; stops it again at once. */
async function start(keys: { PII_KEYS?: string; PII_HASH_KEY?: string }, dir?: string) {
  const stack = await bootStack(
    parseConfig(env(keys, dir ?? (await dataDir()))),
    createLogger('silent'),
  )
  await stack.stop()
}

describe('personal-data keys checked at start', () => {
  it('starts again with the same keys', async () => {
    await start({ PII_KEYS: first, PII_HASH_KEY: hashKey })
    await start({ PII_KEYS: first, PII_HASH_KEY: hashKey })
  })

  it('refuses other keys under a recorded id, naming the id, and records nothing of them', async () => {
    const other = `k1:${key()}`
    await expect(start({ PII_KEYS: other, PII_HASH_KEY: hashKey })).rejects.toThrow(
      /个人信息密钥 "k1".*不是同一把.*拒绝启动/,
    )
    // The refused key was not recorded: the first keys still start.
    await start({ PII_KEYS: first, PII_HASH_KEY: hashKey })
  })

  it('refuses another hash key', async () => {
    await expect(start({ PII_KEYS: first, PII_HASH_KEY: key() })).rejects.toThrow(
      /PII_HASH_KEY.*拒绝启动/,
    )
  })

  it('refuses a process that lacks a key the database holds data under', async () => {
    // Personal data sealed under k1 (the test's deps seal under its own id, so file one with k1).
    const config = parseConfig(env({ PII_KEYS: first, PII_HASH_KEY: hashKey }, await dataDir()))
    const stack = await bootStack(config, createLogger('silent'))
    try {
      const res = await createApp(stack.deps).request(
        '/api/complaints',
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            kind: 'complaint',
            category: 'short_weight',
            county: '331102',
            merchantName: '城东菜场 12 号摊位',
            address: '莲都区城东菜场 12 号',
            occurredAt: '2026-11-20T09:30',
            description: '买了一斤猪肉，回家复秤只有八两。',
            name: '张三',
            phone: '13800138000',
            consent: true,
          }),
        },
        { clientAddress: '192.0.2.77' },
      )
      expect(res.status).toBe(201)
    } finally {
      await stack.stop()
    }
    // A rotation that forgot the old key: k2 seals new data, k1 is gone.
    await expect(start({ PII_KEYS: `k2:${key()}`, PII_HASH_KEY: hashKey })).rejects.toThrow(
      /有用个人信息密钥 "k1" 加密的数据.*PII_KEYS 里没有这把密钥/,
    )
    // Keeping k1 after the new current key starts.
    await start({ PII_KEYS: `k3:${key()} ${first}`, PII_HASH_KEY: hashKey })
    // k3 is now recorded: a process without it is refused even though nothing is sealed under it.
    await expect(start({ PII_KEYS: first, PII_HASH_KEY: hashKey })).rejects.toThrow(
      /登记过个人信息密钥 "k3".*没有它/,
    )
  })
})

describe('development keys of two data folders on one database', () => {
  it('refuses the second replica, whose generated keys share the dated id', async () => {
    const ctx = await createTestContext()
    try {
      const boot = async (dir: string) => {
        const config = parseConfig({
          ...env({}, dir),
          NODE_ENV: 'development',
          DATABASE_URL: ctx.databaseUrl,
          MEILI_INDEX_PREFIX: ctx.deps.config.MEILI_INDEX_PREFIX,
        })
        const stack = await bootStack(config, createLogger('silent'))
        await stack.stop()
      }
      await boot(await dataDir())
      await expect(boot(await dataDir())).rejects.toThrow(
        /个人信息密钥 "dev-\d{8}".*不是同一把[\s\S]*DATA_DIR\/secrets\/pii\.json/,
      )
    } finally {
      await ctx.cleanup()
    }
  })
})

describe('npm start with keys that do not fit the database', () => {
  it('exits non-zero before serving, with the reason on stderr', async () => {
    const dir = await dataDir()
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
      cwd: root,
      env: {
        PATH: process.env.PATH ?? '',
        ...env({ PII_KEYS: `k1:${key()}`, PII_HASH_KEY: hashKey }, dir),
        PORT: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stderr = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve))
    expect(code).not.toBe(0)
    expect(stderr).toMatch(/启动失败[\s\S]*个人信息密钥 "k1"[\s\S]*PII key "k1" differs/)
  }, 60_000)
})
