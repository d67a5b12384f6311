import { loadConfig } from '../api/config.ts'
import { depsFromConfig } from '../api/wiring/deps-from-config.ts'
import { installDeps } from './deps.ts'
import { buildInto } from './site-build.ts'

/**
 * One site build in a process of its own (started by server/site-rebuild-process.ts): the web
 * process keeps answering while Astro bundles and prerenders on the other core, and all the
 * build's memory goes back to the system when it exits.
 *   site-rebuild-child.ts <build folder>
 * The configuration comes in the environment; prints one JSON line: { seconds }.
 */
async function main() {
  const dir = process.argv[2]
  if (!dir) throw new Error('usage: site-rebuild-child.ts <build folder>')
  const deps = depsFromConfig(loadConfig())
  installDeps(deps)
  const started = performance.now()
  try {
    await buildInto(deps, dir)
  } finally {
    await deps.db.destroy()
  }
  const seconds = Math.round((performance.now() - started) / 100) / 10
  process.stdout.write(`\n${JSON.stringify({ seconds })}\n`)
  process.exit(0)
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error)
  process.exit(1)
})
