import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { beijingDate } from '../api/domain/beijing-time.ts'
import { repoRoot, type BenchOptions, type BenchOutcome } from './lib.ts'

/**
 * `npm run bench [-- build|search|intake|queue-search|hotline|credit-grade|credit-record|warnings|
 * intake-warnings|intake-duplicates|intake-duplicates-nginx|replicas] [--runs N]
 * [--seconds N] [--rate N] [--complaints N]`: benchmarks, on demand and never part of `npm test`. Each writes
 * bench/results/<name>-<date>.json and prints one line.
 */
const benches: Record<string, () => Promise<{ run: (o: BenchOptions) => Promise<BenchOutcome> }>> =
  {
    build: () => import('./build.ts'),
    search: () => import('./search.ts'),
    intake: () => import('./intake.ts'),
    'intake-warnings': () => import('./intake-warnings.ts'),
    'intake-duplicates': () => import('./intake-duplicates.ts'),
    'intake-duplicates-nginx': () =>
      import('./intake-duplicates.ts').then((m) => ({ run: m.runThroughNginx })),
    replicas: () => import('./replicas.ts'),
    'queue-search': () => import('./queue-search.ts'),
    hotline: () => import('./hotline.ts'),
    'credit-grade': () => import('./credit-grade.ts'),
    'credit-record': () => import('./credit-record.ts'),
    warnings: () => import('./warnings.ts'),
  }

async function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      runs: { type: 'string', default: '3' },
      seconds: { type: 'string' },
      rate: { type: 'string' },
      complaints: { type: 'string' },
    },
  })
  const options: BenchOptions = {
    runs: Number(values.runs),
    seconds: values.seconds === undefined ? undefined : Number(values.seconds),
    rate: values.rate === undefined ? undefined : Number(values.rate),
    complaints: values.complaints === undefined ? undefined : Number(values.complaints),
  }
  if (!Object.values(options).every((v) => v === undefined || (Number.isInteger(v) && v > 0))) {
    console.error('--runs、--seconds、--rate、--complaints 须为正整数。')
    process.exit(64)
  }
  const names = positionals.length > 0 ? positionals : Object.keys(benches)
  const unknown = names.filter((n) => !(n in benches))
  if (unknown.length > 0) {
    console.error(`未知的基准：${unknown.join('、')}。可选：${Object.keys(benches).join('、')}。`)
    process.exit(64)
  }

  const resultsDir = path.join(repoRoot, 'bench', 'results')
  await mkdir(resultsDir, { recursive: true })
  for (const name of names) {
    const bench = await benches[name]!()
    const { result, summary } = await bench.run(options)
    const file = path.join(resultsDir, `${name}-${beijingDate()}.json`)
    await writeFile(file, `${JSON.stringify(result, null, 2)}\n`)
    console.log(summary)
    console.log(`  → ${path.relative(repoRoot, file)}`)
  }
}

// Stopped by a signal: exiting runs the exit hooks that stop what a benchmark started (its API
// children, bench/load.ts; the embedded PostgreSQL and Meilisearch, scripts/stack).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`基准测试被中止（${signal}）：它启动的服务已停止，数据文件夹留在 .data/bench/。`)
    process.exit(130)
  })
}

main().catch((error: unknown) => {
  console.error('基准测试失败 (benchmark failed):', error)
  process.exit(1)
})
