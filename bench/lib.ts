import { randomBytes } from 'node:crypto'
import { execFileSync, spawn } from 'node:child_process'
import { mkdir, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { parseConfig } from '../api/config.ts'
import { createLogger } from '../api/logger.ts'
import { generateWebhookSecret } from '../api/hotline/signature.ts'
import { bootStack, type Stack } from '../scripts/stack/index.ts'

export const repoRoot = path.resolve(import.meta.dirname, '..')

/** What a benchmark hands back: the JSON to keep and one line for people. */
export interface BenchOutcome {
  result: Record<string, unknown>
  summary: string
}

export interface BenchOptions {
  /** Repetitions of each measured build (build benchmark). */
  runs: number
  /**
   * Seconds of load per round and target; each benchmark has its own default (hotline 10, which
   * keeps its run near 13 minutes on two cores; the others 20).
   */
  seconds: number | undefined
  /**
   * Requests per second, open loop; each benchmark has its own default (search 300, intake 1000,
   * queue-search 50).
   */
  rate: number | undefined
  /** Complaints to generate (queue-search benchmark); 200,000 unless given. */
  complaints: number | undefined
}

/** The value below which `p` of the sorted samples fall (nearest-rank). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))
  return sorted[rank]!
}

export function median(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    0.5,
  )
}

export const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits

/** The machine the numbers come from, so results from different machines are not compared blindly. */
export function machine() {
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGb: round(os.totalmem() / 2 ** 30),
    loadAverage1m: round(os.loadavg()[0] ?? 0, 2),
  }
}

/** The commit measured, and whether the working tree differed from it. */
export function sourceVersion() {
  const git = (...args: string[]) =>
    execFileSync('git', args, { cwd: repoRoot, encoding: 'utf8' }).trim()
  try {
    return {
      commit: git('rev-parse', 'HEAD'),
      dirty: git('status', '--porcelain', '--', '.', ':!bench/results').length > 0,
    }
  } catch {
    return { commit: 'unknown', dirty: true }
  }
}

/**
 * A folder of its own under .data/bench/ and a stack with embedded PostgreSQL and Meilisearch
 * in it (DATABASE_URL and MEILI_URL deliberately left out). `stop` stops both and removes it.
 */
export async function isolatedStack(label: string): Promise<{
  stack: Stack
  dir: string
  stop: () => Promise<void>
}> {
  const dir = path.join(repoRoot, '.data', 'bench', `${label}-${process.pid}-${Date.now()}`)
  await mkdir(dir, { recursive: true })
  const config = parseConfig({ DATA_DIR: dir, LOG_LEVEL: 'warn', DEMO_DATA: 'never' })
  const stack = await bootStack(config, createLogger('warn'))
  return {
    stack,
    dir,
    stop: async () => {
      await stack.stop()
      await rm(dir, { recursive: true, force: true })
    },
  }
}

/** Environment for a child that must use this stack rather than start its own. */
export function stackEnv(stack: Stack, extra: Record<string, string> = {}) {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    NODE_ENV: 'production',
    DATABASE_URL: stack.databaseUrl,
    MEILI_URL: stack.meiliUrl,
    MEILI_MASTER_KEY: stack.meiliKey ?? '',
    DATA_DIR: stack.deps.config.DATA_DIR,
    // Production refuses to start without keys for personal data: fresh ones for each run.
    PII_KEYS: `bench:${randomBytes(32).toString('base64')}`,
    PII_HASH_KEY: randomBytes(32).toString('base64'),
    HOTLINE_WEBHOOK_SECRET: generateWebhookSecret(),
    HOTLINE_CALLBACK_SECRET: generateWebhookSecret(),
    // For profiling the servers: BENCH_NODE_OPTIONS='--cpu-prof --cpu-prof-dir=DIR'.
    ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
    ...extra,
  }
}

/**
 * Runs `node --import tsx <script> <args>` and resolves with the last line it printed on stdout,
 * parsed as JSON (the child's report). Its stderr is passed through.
 */
export function runNodeChild(
  script: string,
  args: string[],
  env: Record<string, string>,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
      cwd: repoRoot,
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    child.once('error', reject)
    child.once('exit', (code) => {
      const last = out.trim().split('\n').at(-1) ?? ''
      if (code !== 0) {
        reject(new Error(`${path.basename(script)} exited with code ${code}`))
        return
      }
      try {
        resolve(JSON.parse(last))
      } catch {
        reject(new Error(`${path.basename(script)} printed no report: ${last.slice(0, 200)}`))
      }
    })
  })
}
