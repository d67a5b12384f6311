import { spawn, type ChildProcess } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { freePort } from '../../scripts/stack/ports.ts'

/**
 * A task's /proc stat line (proc(5)) as a lookup by field number, counted from 1 as the manual
 * does. The command name (field 2) is in parentheses and may hold spaces, so fields are split
 * after it. Read synchronously: `/proc/thread-self/stat` then names the calling thread, not a
 * thread of libuv's pool.
 */
export function procStat(file: string): (field: number) => string {
  const stat = readFileSync(file, 'utf8')
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return (field) => fields[field - 3] ?? ''
}

/** Linux's scheduling policies as /proc reports them (field 41): SCHED_OTHER and SCHED_IDLE. */
export const normalPolicy = 0
export const idlePolicy = 5

/** A task's nice value (field 19) and scheduling policy (field 41). */
export function schedulingOf(statFile: string): { nice: number; policy: number } {
  const field = procStat(statFile)
  return { nice: Number(field(19)), policy: Number(field(41)) }
}

/** The scheduling of this process's threads named `name` (Linux names threads in /proc). */
export function threadsNamed(name: string): { nice: number; policy: number }[] {
  const threads = []
  for (const tid of readdirSync('/proc/self/task')) {
    let comm: string
    try {
      comm = readFileSync(`/proc/self/task/${tid}/comm`, 'utf8').trim()
    } catch {
      continue // ended meanwhile
    }
    if (comm === name) threads.push(schedulingOf(`/proc/self/task/${tid}/stat`))
  }
  return threads
}

/** Every live process whose parent chain leads to `ancestor`. */
export function descendantsOf(ancestor: number): number[] {
  const parent = new Map<number, number>()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      parent.set(Number(entry), Number(procStat(`/proc/${entry}/stat`)(4)))
    } catch {
      // exited while we looked
    }
  }
  return [...parent.keys()].filter((pid) => {
    for (let p = parent.get(pid); p !== undefined && p > 1; p = parent.get(p)) {
      if (p === ancestor) return true
    }
    return false
  })
}

/** Running, not merely a zombie waiting to be reaped by init. */
export function alive(pid: number): boolean {
  try {
    return procStat(`/proc/${pid}/stat`)(3) !== 'Z'
  } catch {
    return false
  }
}

/** A process's resident memory now, in bytes (VmRSS of /proc/<pid>/status). */
export function residentBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  const kb = /^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1]
  if (!kb) throw new Error(`no VmRSS for process ${pid}`)
  return Number(kb) * 1024
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Stops a process and everything it started, by their PIDs: SIGTERM, then SIGKILL what is left. */
export async function stopProcessTree(child: ChildProcess | undefined, graceMs: number) {
  if (!child?.pid || !alive(child.pid)) return
  const started = [child.pid, ...descendantsOf(child.pid)]
  child.kill('SIGTERM')
  const deadline = Date.now() + graceMs
  while (started.some(alive) && Date.now() < deadline) await sleep(200)
  for (const pid of started.filter(alive)) process.kill(pid, 'SIGKILL')
}

export interface RunningProduct {
  child: ChildProcess
  base: string
  /** Everything it printed so far, both streams. */
  output: () => string
}

/**
 * Starts the product with `command` on embedded services in a data folder of the test's own and
 * waits until `/api/health` answers, failing with its output if it exits or takes over 4 minutes.
 */
export async function startProduct(options: {
  command: string
  args: readonly string[]
  cwd: string
  dataDir: string
  env?: Record<string, string>
  /** The port to listen on; a free one by default. */
  port?: number
  /** False: leave SITE_OUT_DIR to the product's default, as `npm start` in a checkout does. */
  siteOutDirInDataDir?: boolean
}): Promise<RunningProduct> {
  const port = options.port ?? (await freePort())
  const base = `http://127.0.0.1:${port}`
  const child = spawn(options.command, options.args, {
    cwd: options.cwd,
    env: {
      ...process.env,
      PORT: String(port),
      DATA_DIR: options.dataDir,
      ...(options.siteOutDirInDataDir === false
        ? {}
        : { SITE_OUT_DIR: path.join(options.dataDir, 'dist') }),
      DATABASE_URL: '',
      MEILI_URL: '',
      LOG_LEVEL: 'warn',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let output = ''
  child.stdout.on('data', (c: Buffer) => (output += c.toString()))
  child.stderr.on('data', (c: Buffer) => (output += c.toString()))
  const running = { child, base, output: () => output }
  const deadline = Date.now() + 240_000
  for (;;) {
    const up = await fetch(`${base}/api/health`).then(
      (r) => r.ok,
      () => false,
    )
    if (up) return running
    if (child.exitCode !== null) throw new Error(`the product exited early:\n${output}`)
    if (Date.now() > deadline) throw new Error(`the product did not answer:\n${output}`)
    await sleep(500)
  }
}
