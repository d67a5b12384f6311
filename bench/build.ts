import { mkdir, rm, symlink, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { applyEnterpriseRecords } from '../api/services/enterprises/apply.ts'
import { beijingDate } from '../api/domain/beijing-time.ts'
import { countEnterprises } from '../db/queries/enterprises.ts'
import { generateDemoRecords } from '../scripts/demo/generate.ts'
import {
  isolatedStack,
  machine,
  median,
  repoRoot,
  round,
  sourceVersion,
  runNodeChild,
  stackEnv,
  type BenchOptions,
  type BenchOutcome,
} from './lib.ts'

const enterpriseCount = 10_000
const child = path.join(repoRoot, 'bench', 'build-child.ts')

interface BuildReport {
  seconds: number
  pages: number
  maxRssMb: number
  vmHwmMb: number | null
}

/** The smallest Astro project that builds `pages` pages of one line each. */
async function writeBaselineProject(root: string, pages: number) {
  await mkdir(path.join(root, 'src', 'pages'), { recursive: true })
  await writeFile(
    path.join(root, 'package.json'),
    JSON.stringify({ name: 'bench-baseline', private: true, type: 'module' }),
  )
  await writeFile(
    path.join(root, 'astro.config.mjs'),
    "import { defineConfig } from 'astro/config'\nexport default defineConfig({ output: 'static' })\n",
  )
  await writeFile(
    path.join(root, 'src', 'pages', '[n].astro'),
    [
      '---',
      'export function getStaticPaths() {',
      `  return Array.from({ length: ${pages} }, (_, i) => ({ params: { n: String(i + 1) } }))`,
      '}',
      'const { n } = Astro.params',
      '---',
      '<p>Page {n}</p>',
      '',
    ].join('\n'),
  )
  // The same Astro as the product's, from this repository.
  await symlink(path.join(repoRoot, 'node_modules'), path.join(root, 'node_modules'), 'dir')
}

function summarise(reports: BuildReport[]) {
  const pagesPerSecond = reports.map((r) => r.pages / r.seconds)
  return {
    runs: reports.map((r) => ({
      seconds: round(r.seconds, 2),
      pages: r.pages,
      pagesPerSecond: round(r.pages / r.seconds),
      peakRssMb: round(r.maxRssMb),
      vmHwmMb: r.vmHwmMb === null ? null : round(r.vmHwmMb),
    })),
    pages: median(reports.map((r) => r.pages)),
    medianSeconds: round(median(reports.map((r) => r.seconds)), 2),
    medianPagesPerSecond: round(median(pagesPerSecond)),
    medianPeakRssMb: round(median(reports.map((r) => r.maxRssMb))),
    maxPeakRssMb: round(Math.max(...reports.map((r) => r.maxRssMb))),
  }
}

/**
 * Static build of the product with 10,000 businesses against a one-line Astro page built 10,000
 * times, in the same run on the same machine; each build in a child process of its own, runs
 * alternating so that drifting machine load hits both alike.
 */
export async function run(options: BenchOptions): Promise<BenchOutcome> {
  const { stack, dir, stop } = await isolatedStack('build')
  try {
    const loadStarted = performance.now()
    await applyEnterpriseRecords({
      ctx: stack.deps,
      input: {
        records: generateDemoRecords(enterpriseCount),
        source: 'demo',
        today: beijingDate(),
        isDemo: true,
      },
    })
    const loadSeconds = (performance.now() - loadStarted) / 1000
    const enterprises = await countEnterprises(stack.deps.db)
    const baselineRoot = path.join(dir, 'baseline')
    await writeBaselineProject(baselineRoot, enterpriseCount)

    const reports: Record<'baseline' | 'product', BuildReport[]> = { baseline: [], product: [] }
    for (let i = 0; i < options.runs; i++) {
      for (const kind of ['baseline', 'product'] as const) {
        const outDir = path.join(dir, `out-${kind}-${i}`)
        const cacheDir = path.join(dir, `cache-${kind}-${i}`)
        const args = kind === 'product' ? [outDir, cacheDir] : [baselineRoot, outDir, cacheDir]
        process.stderr.write(`build: ${kind} run ${i + 1}/${options.runs}…\n`)
        const report = (await runNodeChild(
          child,
          [kind, ...args],
          stackEnv(stack, { LOG_LEVEL: 'warn' }),
        )) as BuildReport
        reports[kind].push(report)
        process.stderr.write(
          `build: ${kind} ${report.pages} pages in ${report.seconds.toFixed(1)} s, peak RSS ${Math.round(report.maxRssMb)} MiB\n`,
        )
        await rm(outDir, { recursive: true, force: true })
        await rm(cacheDir, { recursive: true, force: true })
      }
    }

    const product = summarise(reports.product)
    const baseline = summarise(reports.baseline)
    const ratio = round(product.medianPagesPerSecond / baseline.medianPagesPerSecond, 3)
    const memoryRatio = round(product.medianPeakRssMb / baseline.medianPeakRssMb, 2)
    const result = {
      name: 'build',
      date: new Date().toISOString(),
      machine: machine(),
      source: sourceVersion(),
      setup: {
        enterprises,
        demoLoadSeconds: round(loadSeconds, 2),
        runsEach: options.runs,
        product: 'astro build() of this repository (outDir under .data/bench), deps installed',
        baseline: `throwaway project, src/pages/[n].astro with ${enterpriseCount} one-line pages`,
      },
      product,
      baseline,
      ratio: { pagesPerSecond: ratio, peakRss: memoryRatio },
      goal: { pagesPerSecondRatioAtLeast: 0.5, met: ratio >= 0.5 },
    }
    const summary =
      `build: product ${product.pages} pages at ${product.medianPagesPerSecond} pages/s ` +
      `(median of ${options.runs}, ${product.medianSeconds} s, peak RSS ${product.medianPeakRssMb} MiB) ` +
      `vs baseline ${baseline.pages} pages at ${baseline.medianPagesPerSecond} pages/s ` +
      `(${baseline.medianPeakRssMb} MiB); ratio ${ratio} (goal ≥ 0.5: ${ratio >= 0.5 ? 'met' : 'MISSED'}), ` +
      `memory ×${memoryRatio}`
    return { result, summary }
  } finally {
    await stop()
  }
}
