import { spawn, type ChildProcess } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { rm } from 'node:fs/promises'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { alive, descendantsOf, startProduct, stopProcessTree } from '../support/processes.ts'

const root = path.resolve(import.meta.dirname, '../..')
const dataDir = path.join(root, '.data', 'test', `start-${process.pid}`)
let npm: ChildProcess | undefined

afterAll(async () => {
  // After a failure the product may still run: stop it and everything it started, by their PIDs
  // (killing npm alone would leave Meilisearch and PostgreSQL behind).
  await stopProcessTree(npm, 15_000)
  await rm(dataDir, { recursive: true, force: true })
})

/** An npm script with the test's data folder, as a second terminal would run it. */
function runScript(
  script: string,
  args: string[],
): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', '--silent', script, '--', ...args], {
      cwd: root,
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        DATABASE_URL: '',
        MEILI_URL: '',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let output = ''
    child.stdout.on('data', (c: Buffer) => (output += c.toString()))
    child.stderr.on('data', (c: Buffer) => (output += c.toString()))
    child.once('exit', (code) => resolve({ code, output }))
  })
}

describe('npm start', () => {
  it('serves the product on embedded services with demo data, and SIGTERM to npm stops everything', async () => {
    const product = await startProduct({ command: 'npm', args: ['start'], cwd: root, dataDir })
    npm = product.child
    const { base } = product
    const exited = new Promise<number | null>((resolve) => product.child.once('exit', resolve))

    for (const page of ['/', '/enterprises/', '/api/ready', '/api/enterprises?pageSize=1']) {
      const res = await fetch(`${base}${page}`)
      expect(res.status, page).toBe(200)
    }
    // Static and on-demand pages alike carry the security headers, and no page has an inline
    // script the policy would have to allow.
    for (const page of ['/', '/search?q=%E8%8F%9C%E5%9C%BA']) {
      const res = await fetch(`${base}${page}`)
      const csp = res.headers.get('content-security-policy') ?? ''
      expect(csp, page).toContain("script-src 'self'")
      expect(csp, page).toContain("frame-ancestors 'none'")
      expect(csp, page).not.toContain('unsafe-inline')
      expect(res.headers.get('referrer-policy'), page).toBeTruthy()
      expect(res.headers.get('x-content-type-options'), page).toBe('nosniff')
      const html = await res.text()
      expect(html.match(/<script(?![^>]*\bsrc=)[^>]*>/g) ?? [], page).toEqual([])
    }
    const directory = (await (await fetch(`${base}/api/enterprises?pageSize=1`)).json()) as {
      total: number
    }
    expect(directory.total).toBe(1500)

    // A complaint through the built product (the site bundle's own copy of the API modules):
    // filed, then followed with its query code.
    const filed = await fetch(`${base}/api/complaints`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        kind: 'report',
        category: 'taxi_meter',
        county: '331102',
        merchantName: '浙K·T1234 出租车',
        address: '丽水火车站',
        occurredAt: '2026-11-26T21:10',
        description: '计价器跳得特别快，同样路程平时 15 元，这次 31 元。',
        phone: '13700001111',
        consent: true,
      }),
    })
    expect(filed.status).toBe(201)
    const receipt = (await filed.json()) as { trackingNo: string; queryCode: string }
    const tracked = await fetch(`${base}/api/complaints/${receipt.trackingNo}`, {
      headers: { 'x-query-code': receipt.queryCode },
    })
    expect(tracked.status).toBe(200)
    expect(await tracked.text()).not.toContain('13700001111')
    // Without an account, start-up says how to make the first one.
    expect(product.output()).toContain('npm run admin:create')
    // The first start made the 12345 secrets and printed them once, and the simulator, run
    // beside it, reads them and has a ticket accepted at once.
    const hotline = JSON.parse(
      readFileSync(path.join(dataDir, 'secrets', 'hotline.json'), 'utf8'),
    ) as { webhookSecret: string; callbackSecret: string }
    expect(product.output().split(`HOTLINE_WEBHOOK_SECRET=${hotline.webhookSecret}`)).toHaveLength(
      2,
    )
    expect(product.output()).toContain(`HOTLINE_CALLBACK_SECRET=${hotline.callbackSecret}`)
    const simulated = await runScript('hotline:simulate', ['--url', base, '--only', 'dispatch'])
    expect(simulated.code, simulated.output).toBe(0)
    expect(simulated.output).toContain('202')
    // The first console account is created beside the running product, in its embedded
    // database, and can sign in at once (to change its one-time password).
    const created = await runScript('admin:create', [
      '--username',
      'first.admin',
      '--role',
      'city_admin',
    ])
    expect(created.code, created.output).toBe(0)
    const oneTime = /一次性密码：(\S+)/.exec(created.output)?.[1]
    expect(oneTime).toBeTruthy()
    const signIn = await fetch(`${base}/api/admin/auth/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'first.admin', password: oneTime }),
    })
    expect(signIn.status).toBe(200)
    expect(((await signIn.json()) as { stage: string }).stage).toBe('change_password')

    // The bureau's list imported beside the running product goes into its database, and its
    // worker indexes it: searchable within seconds, no restart.
    const imported = await runScript('import:enterprises', [
      'content/samples/enterprises-sample.csv',
    ])
    expect(imported.code, imported.output).toBe(0)
    const after = (await (await fetch(`${base}/api/enterprises?pageSize=1`)).json()) as {
      total: number
    }
    expect(after.total).toBe(1505)
    const searchDeadline = Date.now() + 15_000
    for (;;) {
      const found = (await (
        await fetch(`${base}/api/search?q=${encodeURIComponent('万象农贸市场')}`)
      ).json()) as { enterprises: Array<{ uscc: string }> }
      if (found.enterprises.some((e) => e.uscc === '91331102MA2HK3N57E')) break
      if (Date.now() > searchDeadline)
        throw new Error('the imported business never became searchable')
      await new Promise((r) => setTimeout(r, 250))
    }

    // The outbox worker runs on its own thread: one that fails to load or dies logs an error.
    await new Promise((r) => setTimeout(r, 2_000))
    expect(product.output()).not.toMatch(/background thread/)

    const children = descendantsOf(product.child.pid!)
    expect(children.length).toBeGreaterThanOrEqual(3) // node, postgres, meilisearch (at least)
    product.child.kill('SIGTERM')
    const code = await exited
    expect(code).toBe(0)
    // Helpers such as esbuild's service end when their parent's pipe closes: give them a moment.
    for (let i = 0; i < 50 && children.some(alive); i++)
      await new Promise((r) => setTimeout(r, 100))
    expect(children.filter(alive)).toEqual([])
  }, 300_000)
})
