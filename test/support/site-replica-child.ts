// One replica of the product for the replica tests: started as `npm start` starts it
// (server/product.ts), configured by the environment, on the services DATABASE_URL and MEILI_URL
// name. The rebuilder's timing comes as JSON in the first argument, so that a test need not wait
// a minute for replaced builds to go. Prints one line, {"url": …}, once it serves; SIGTERM stops it.
import { loadConfig } from '../../api/config.ts'
import { createLogger } from '../../api/logger.ts'
import { devStarters } from '../../scripts/stack/product.ts'
import { startProduct } from '../../server/product.ts'
import type { RebuildTiming } from '../../server/site-rebuild.ts'

async function main() {
  const config = loadConfig()
  const rebuildTiming = JSON.parse(process.argv[2] ?? '{}') as Partial<RebuildTiming>
  const product = await startProduct(config, createLogger(config.LOG_LEVEL), {
    ...devStarters,
    rebuildTiming,
  })
  process.on('SIGTERM', () => void product.stop().then(() => process.exit(0)))
  process.stdout.write(`${JSON.stringify({ url: product.url })}\n`)
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error)
  process.exit(1)
})
