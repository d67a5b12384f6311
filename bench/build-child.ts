import { readdir, readFile } from 'node:fs/promises'
import path from 'node:path'
import { loadConfig } from '../api/config.ts'
import { depsFromConfig } from '../api/wiring/deps-from-config.ts'
import { installDeps } from '../server/deps.ts'
import { repoRoot } from './lib.ts'

/**
 * One measured Astro build in a process of its own, so its peak memory is the build's alone.
 *   build-child.ts product  <outDir> <cacheDir>   this repository, reading the database
 *   build-child.ts baseline <root> <outDir> <cacheDir>   the throwaway one-line project
 * Prints one JSON line: { seconds, pages, maxRssMb, vmHwmMb }.
 */

async function countHtml(dir: string): Promise<number> {
  let n = 0
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.html')) n++
  }
  return n
}

/** Peak resident set size as the kernel counts it (VmHWM), in MiB. */
async function vmHwmMb(): Promise<number | null> {
  try {
    const status = await readFile('/proc/self/status', 'utf8')
    const kb = /^VmHWM:\s+(\d+) kB$/m.exec(status)?.[1]
    return kb ? Number(kb) / 1024 : null
  } catch {
    return null
  }
}

async function main() {
  const [kind, ...args] = process.argv.slice(2)
  let root: string, outDir: string, cacheDir: string
  let destroy = async () => {}
  if (kind === 'product' && args.length === 2) {
    ;[outDir, cacheDir] = args as [string, string]
    root = repoRoot
    // Prerendering reads PostgreSQL through the installed deps, as `npm start` arranges it.
    const deps = depsFromConfig(loadConfig())
    installDeps(deps)
    destroy = () => deps.db.destroy()
  } else if (kind === 'baseline' && args.length === 3) {
    ;[root, outDir, cacheDir] = args as [string, string, string]
  } else {
    throw new Error(
      'usage: build-child.ts product <outDir> <cacheDir> | baseline <root> <outDir> <cacheDir>',
    )
  }
  const { build } = await import('astro')
  const started = performance.now()
  await build({
    root,
    outDir,
    cacheDir,
    logLevel: 'warn',
    vite: { cacheDir: path.join(cacheDir, 'vite') },
  })
  const seconds = (performance.now() - started) / 1000
  const pages = await countHtml(outDir)
  await destroy()
  const report = {
    seconds,
    pages,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    vmHwmMb: await vmHwmMb(),
  }
  process.stdout.write(`\n${JSON.stringify(report)}\n`)
  process.exit(0)
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
