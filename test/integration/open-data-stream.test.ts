import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { countEnterprises } from '../../db/queries/enterprises.ts'
import { updateEnterprise } from '../../db/queries/enterprise-changes.ts'
import { insertSyntheticEnterprises } from '../../scripts/demo/bulk.ts'
import { createTestContext, type TestContext } from '../support/integration.ts'
import { stopProcessTree } from '../support/processes.ts'

const total = 100_000
const MB = 1024 * 1024
/**
 * The most the server's live heap may grow while sending the whole directory. Measured on this
 * machine kind with 100,000 businesses (10 M characters of CSV, 26 M of JSON): streamed a page of
 * 1,000 businesses at a time, the peak rose by 1.9 MB (CSV) and 1.8 MB (JSON); the same handler
 * reading every page into one string before answering rose by 21.6 MB and 52.8 MB.
 */
const heapBound = 8 * MB
const root = path.resolve(import.meta.dirname, '../..')

let t: TestContext
let server: ChildProcess | undefined
let base = ''

beforeAll(async () => {
  t = await createTestContext()
  await insertSyntheticEnterprises(t.deps.db, total)
  const c = t.deps.config
  const env: Record<string, string> = { ...(process.env as Record<string, string>) }
  for (const name of [
    'NODE_ENV',
    'DATABASE_URL',
    'MEILI_URL',
    'MEILI_MASTER_KEY',
    'MEILI_INDEX_PREFIX',
    'PII_KEYS',
    'PII_HASH_KEY',
    'PHOTO_DIR',
    'HOTLINE_WEBHOOK_SECRET',
    'HOTLINE_CALLBACK_SECRET',
  ] as const) {
    const value = c[name]
    if (value !== undefined) env[name] = value
  }
  env.LOG_LEVEL = 'warn'
  server = spawn(
    process.execPath,
    ['--expose-gc', '--import', 'tsx', 'test/support/open-data-child.ts'],
    { cwd: root, env, stdio: ['ignore', 'pipe', 'inherit'] },
  )
  const port = await new Promise<string>((resolve, reject) => {
    let out = ''
    server!.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString()
      const match = /listening (\d+)/.exec(out)
      if (match) resolve(match[1]!)
    })
    server!.once('exit', (code) => reject(new Error(`open-data server exited (${code})`)))
  })
  base = `http://127.0.0.1:${port}`
}, 180_000)

afterAll(async () => {
  await stopProcessTree(server, 10_000)
  await t.cleanup()
})

async function heap(reset = false): Promise<{ baseline: number; peak: number }> {
  const response = await fetch(`${base}/__heap${reset ? '/reset' : ''}`)
  return (await response.json()) as { baseline: number; peak: number }
}

/** Downloads `file` compressed, as a browser would, and the server's heap growth meanwhile. */
async function download(file: string, headers: Record<string, string> = {}) {
  await heap(true)
  const response = await fetch(`${base}/data/${file}`, {
    headers: { 'accept-encoding': 'br, gzip', ...headers },
  })
  const bytes = Buffer.from(await response.arrayBuffer())
  const body = bytes.toString('utf8')
  const { baseline, peak } = await heap()
  return { response, body, growth: peak - baseline }
}

describe('open-data directory downloads with 100,000 businesses', () => {
  it('streams the CSV in bounded memory, one line per business, compressed', async () => {
    const { response, body, growth } = await download('directory.csv')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-encoding')).toMatch(/^(br|gzip)$/)
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8')
    // UTF-8 with a byte-order mark, so that Excel and WPS read it as UTF-8.
    expect(body.startsWith('\uFEFF')).toBe(true)
    const lines = body.split('\r\n').filter(Boolean)
    expect(lines[0]).toBe(
      '\uFEFF统一社会信用代码,名称,区县代码,区县,行业,认定状态,状态起始日期,认定日期,有效期至,地址,信用等级,信用风险',
    )
    expect(lines.length - 1).toBe(await countEnterprises(t.deps.db))
    console.log(
      `directory.csv: ${(body.length / MB).toFixed(1)} M chars, heap +${(growth / MB).toFixed(1)} MB`,
    )
    expect(growth).toBeLessThan(heapBound)
  })

  it('streams the JSON as one valid document in bounded memory', async () => {
    const { response, body, growth } = await download('directory.json')
    expect(response.status).toBe(200)
    const doc = JSON.parse(body) as { licence: string; updatedAt: string; items: unknown[] }
    expect(doc.licence).toContain('CC BY 4.0')
    expect(doc.items).toHaveLength(await countEnterprises(t.deps.db))
    console.log(
      `directory.json: ${(body.length / MB).toFixed(1)} M chars, heap +${(growth / MB).toFixed(1)} MB`,
    )
    expect(growth).toBeLessThan(heapBound)
  })

  it('answers a repeated request with its ETag 304 and no body, and a changed business changes the ETag', async () => {
    const first = await fetch(`${base}/data/directory.csv`, { method: 'HEAD' })
    const etag = first.headers.get('etag')!
    expect(etag).toMatch(/^(W\/)?"directory-csv-/)
    expect(first.headers.get('cache-control')).toMatch(/max-age=\d+/)

    const again = await fetch(`${base}/data/directory.csv`, { headers: { 'if-none-match': etag } })
    expect(again.status).toBe(304)
    expect(await again.text()).toBe('')
    // A compressed answer's ETag is weak (its bytes differ); either form is the same version.
    const strong = etag.replace(/^W\//, '')
    const identity = await fetch(`${base}/data/directory.csv`, {
      headers: { 'if-none-match': strong, 'accept-encoding': 'identity' },
    })
    expect(identity.status).toBe(304)

    const [one] = await t.deps.db.selectFrom('enterprises').select('uscc').limit(1).execute()
    await t.deps.db.transaction().execute((trx) =>
      updateEnterprise(trx, one!.uscc, {
        address: '丽水市莲都区新地址 1 号',
        updatedAt: new Date(),
      }),
    )
    const changed = await fetch(`${base}/data/directory.csv`, {
      headers: { 'if-none-match': etag },
    })
    expect(changed.status).toBe(200)
    expect(changed.headers.get('etag')).not.toBe(etag)
    expect(await changed.text()).toContain('丽水市莲都区新地址 1 号')
  })
})
