import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { closeSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import os from 'node:os'
import { join } from 'node:path'
import { freePort, waitForPort } from '../scripts/stack/ports.ts'
import type { Connections, Request as HttpRequest } from './http-client.ts'
import { median, percentile, repoRoot, round } from './lib.ts'

/** Sends request number `i`; resolves with the HTTP status once the body is read. */
export type Send = (i: number) => Promise<number>

/** One request on keep-alive connections; resolves with the status once the body is read. */
export function sender(
  connections: Connections,
  port: number,
  request: (i: number) => HttpRequest,
): Send {
  return (i) => connections.request(port, request(i))
}

export interface Round {
  latencies: number[]
  errors: number
  statuses: Record<string, number>
  /** How late the generator sent its worst request: large values mean the client fell behind. */
  maxSendLagMs: number
  cpuSeconds: Record<string, number>
  /** The machine's 1-minute load average when the round ended (others' work shows here). */
  loadAverage1m: number
}

/** CPU ticks (user + system) of a process and of each of its children, from /proc/<pid>/stat. */
export function cpuTicks(pid: number | undefined): Map<string, number> {
  const ticks = new Map<string, number>()
  if (!pid) return ticks
  const read = (entry: string) => {
    const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return { parent: Number(fields[1]), used: Number(fields[11]) + Number(fields[12]) }
  }
  try {
    ticks.set(String(pid), read(String(pid)).used)
  } catch {
    return ticks
  }
  // PostgreSQL does its work in one child process per connection.
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || entry === String(pid)) continue
    try {
      const child = read(entry)
      if (child.parent === pid) ticks.set(entry, child.used)
    } catch {
      // gone meanwhile
    }
  }
  return ticks
}

/** CPU seconds between two readings; a process that ended in between is not counted. */
export function cpuSecondsBetween(before: Map<string, number>, after: Map<string, number>): number {
  if (after.size === 0) return Number.NaN
  let total = 0
  for (const [pid, used] of after) total += used - (before.get(pid) ?? 0)
  return total / 100
}

/**
 * Flushes written files to disk, then waits until the given processes use under 5% of a core over
 * a second (at most `limitSeconds`): a measurement must not start while a freshly built index is
 * still being written back or tidied up. Returns the seconds waited.
 */
export async function waitUntilQuiet(pids: (number | undefined)[], limitSeconds = 60) {
  const started = performance.now()
  spawnSync('sync')
  while (performance.now() - started < limitSeconds * 1000) {
    const before = pids.map((pid) => cpuTicks(pid))
    await new Promise((r) => setTimeout(r, 1_000))
    const used = pids.reduce<number>(
      (sum, pid, i) => sum + cpuSecondsBetween(before[i]!, cpuTicks(pid)),
      0,
    )
    if (!(used > 0.05)) break
  }
  return round((performance.now() - started) / 1000, 1)
}

/**
 * Open loop: request i is due at start + i / rate whether or not earlier ones have answered, and
 * its latency counts from when it was due (not when it was sent), so a stall is charged to every
 * request it delays (no coordinated omission).
 */
export async function openLoop(
  send: Send,
  rate: number,
  seconds: number,
  watch: Record<string, number | undefined>,
): Promise<Round> {
  const total = rate * seconds
  const interval = 1000 / rate
  const outcome: Round = {
    latencies: [],
    errors: 0,
    statuses: {},
    maxSendLagMs: 0,
    cpuSeconds: {},
    loadAverage1m: 0,
  }
  const cpuBefore = Object.fromEntries(Object.entries(watch).map(([k, pid]) => [k, cpuTicks(pid)]))
  const generatorBefore = process.cpuUsage()
  const start = performance.now() + 20
  let sent = 0
  let finished = 0
  await new Promise<void>((resolve) => {
    const done = () => {
      if (++finished === total) resolve()
    }
    const tick = () => {
      const now = performance.now()
      while (sent < total && start + sent * interval <= now) {
        const due = start + sent * interval
        outcome.maxSendLagMs = Math.max(outcome.maxSendLagMs, now - due)
        send(sent).then(
          (status) => {
            if (status >= 200 && status < 300) outcome.latencies.push(performance.now() - due)
            else {
              outcome.errors++
              outcome.statuses[status] = (outcome.statuses[status] ?? 0) + 1
            }
            done()
          },
          () => {
            outcome.errors++
            outcome.statuses.network = (outcome.statuses.network ?? 0) + 1
            done()
          },
        )
        sent++
      }
      if (sent < total) setTimeout(tick, Math.max(0, start + sent * interval - performance.now()))
    }
    tick()
  })
  for (const [k, pid] of Object.entries(watch)) {
    outcome.cpuSeconds[k] = round(
      cpuSecondsBetween(cpuBefore[k] ?? new Map<string, number>(), cpuTicks(pid)),
      2,
    )
  }
  const generator = process.cpuUsage(generatorBefore)
  outcome.cpuSeconds.generator = round((generator.user + generator.system) / 1e6, 2)
  outcome.loadAverage1m = round(os.loadavg()[0] ?? 0, 2)
  return outcome
}

export function stats(rounds: Round[], seconds: number) {
  const all = rounds.flatMap((r) => r.latencies).sort((a, b) => a - b)
  const requests = rounds.reduce((n, r) => n + r.latencies.length + r.errors, 0)
  const cpu: Record<string, number> = {}
  for (const r of rounds)
    for (const [k, v] of Object.entries(r.cpuSeconds)) cpu[k] = (cpu[k] ?? 0) + v
  return {
    requests,
    errors: rounds.reduce((n, r) => n + r.errors, 0),
    statuses: rounds.map((r) => r.statuses),
    p50Ms: round(percentile(all, 0.5), 2),
    p90Ms: round(percentile(all, 0.9), 2),
    p99Ms: round(percentile(all, 0.99), 2),
    maxMs: round(all.at(-1) ?? Number.NaN, 2),
    perRound: rounds.map((r) => {
      const sorted = [...r.latencies].sort((a, b) => a - b)
      return {
        p50Ms: round(percentile(sorted, 0.5), 2),
        p99Ms: round(percentile(sorted, 0.99), 2),
        maxMs: round(sorted.at(-1) ?? Number.NaN, 2),
        maxSendLagMs: round(r.maxSendLagMs, 2),
        loadAverage1m: r.loadAverage1m,
      }
    }),
    medianOfRoundP99Ms: round(
      median(
        rounds.map((r) =>
          percentile(
            [...r.latencies].sort((a, b) => a - b),
            0.99,
          ),
        ),
      ),
      2,
    ),
    /** CPU used per second of load, as a share of one core. */
    cpuCores: Object.fromEntries(
      Object.entries(cpu).map(([k, v]) => [k, round(v / (seconds * rounds.length), 2)]),
    ),
  }
}

/** Server children still running: ended with this process, however it ends (bench/run.ts). */
const runningChildren = new Set<ChildProcess>()
process.on('exit', () => {
  for (const child of runningChildren) child.kill('SIGTERM')
})

/**
 * Starts a server script from bench/ as a child on a free port. Its stdout goes to a file, not a
 * pipe: Node writes to a pipe synchronously, so a load generator slow to drain one would stall the
 * server it measures. `log()` reads back, from that file, the `ms` of every logged request to `path`
 * and the event-loop delay lines the servers print once a second, since the last `markLog()`.
 */
export async function startServerChild(script: string, env: Record<string, string>, path: string) {
  const port = await freePort()
  const dir = await mkdtemp(join(os.tmpdir(), 'bench-log-'))
  const logFile = join(dir, 'stdout.log')
  const out = openSync(logFile, 'a')
  const child: ChildProcess = spawn(
    process.execPath,
    ['--import', 'tsx', join(repoRoot, 'bench', script)],
    { cwd: repoRoot, env: { ...env, PORT: String(port) }, stdio: ['ignore', out, 'inherit'] },
  )
  closeSync(out)
  runningChildren.add(child)
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      runningChildren.delete(child)
      resolve()
    }),
  )
  await waitForPort(port, 30_000)
  let from = 0
  return {
    port,
    pid: child.pid,
    /** Later `log()` calls see only what the server logs from now on. */
    markLog: () => {
      from = statSync(logFile).size
    },
    log: () => {
      const text = readFileSync(logFile).subarray(from).toString('utf8')
      const serverMs: number[] = []
      /** The server's event-loop delay, one sample per second: [p99, max] in ms. */
      const loopDelays: [number, number][] = []
      for (const line of text.split('\n')) {
        if (line.includes(`"path":"${path}"`)) {
          const ms = /"ms":([\d.]+)/.exec(line)?.[1]
          if (ms) serverMs.push(Number(ms))
        }
        const delay = /"eventLoopDelay":\{"p99":([\d.e+-]+),"max":([\d.e+-]+)\}/.exec(line)
        if (delay) loopDelays.push([Number(delay[1]), Number(delay[2])])
      }
      return { serverMs, loopDelays }
    },
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM')
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
      await exited
      clearTimeout(timer)
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/**
 * Keeps `connections` requests in flight for `seconds`: the most a server takes. Answers per
 * second (2xx only) and the error count.
 */
export async function closedLoop(send: Send, seconds: number, connections: number, offset: number) {
  const until = performance.now() + seconds * 1000
  let next = offset
  let ok = 0
  let errors = 0
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < until) {
        const status = await send(next++).catch(() => 0)
        if (status >= 200 && status < 300) ok++
        else errors++
      }
    }),
  )
  return { perSecond: ok / seconds, errors, sent: next - offset }
}

/** Percentiles of the handling times a server logged (startServerChild's `log().serverMs`). */
export function serverSide(ms: number[]) {
  const sorted = [...ms].sort((a, b) => a - b)
  const at = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN
  return { requests: sorted.length, p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? Number.NaN }
}
