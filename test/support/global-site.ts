import { appendFileSync } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import path from 'node:path'
import type { TestProject } from 'vitest/node'
import { parseConfig } from '../../api/config.ts'
import { createLogger } from '../../api/logger.ts'
import { startProduct, type Product } from '../../server/product.ts'
import { startCallbackReceiver } from '../../scripts/hotline/receiver.ts'
import { simulatorSecrets } from '../../scripts/hotline/secrets.ts'
import { devStarters } from '../../scripts/stack/product.ts'
import { ensureBrowser, thisMachine } from './browser-setup.ts'

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where the product under test serves the site, e.g. http://127.0.0.1:40123 */
    siteUrl: string
    /** The product's database, for tests that check what a page stored. */
    siteDatabaseUrl: string
    /**
     * Where the 12345 callbacks the product sends are written, one received callback (as the
     * simulator's receiver reports it) per line.
     */
    hotlineCallbacksFile: string
    /** The product's data folder, where its generated hotline secrets are kept. */
    siteDataDir: string
    /** The product's public text searches per client address per minute. */
    siteSearchLimit: number
  }
}

const e2eSearchLimit = 400

const root = path.resolve(import.meta.dirname, '../..')

/**
 * The browser tests' product: started as `npm start` starts it, but in a data folder of its own,
 * on a random port, with 300 demo businesses (enough for every county, sector and status, few
 * enough to build quickly). The site is always rebuilt, so the tests see the current sources.
 */
export default async function setup(project: TestProject) {
  // First, before the site build: a machine without the browser learns it in seconds.
  await ensureBrowser(thisMachine)
  const dataDir = path.join(root, '.data', 'test', `e2e-${process.pid}`)
  await rm(dataDir, { recursive: true, force: true })
  await mkdir(dataDir, { recursive: true })
  // The simulator's receiver listens for the whole run, before the product starts: a port picked
  // now and bound later by a test can be taken in between by any outgoing connection.
  const hotlineCallbacksFile = path.join(dataDir, 'hotline-callbacks.jsonl')
  const receiver = await startCallbackReceiver({
    port: 0,
    // The product makes its development secrets at start; the first callback comes after.
    secret: () => simulatorSecrets(config).callbackSecret,
    onCallback: (callback) => appendFileSync(hotlineCallbacksFile, `${JSON.stringify(callback)}\n`),
  })
  const config = parseConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    // Built beside its data, so a developer's own dist/ is left as it was.
    SITE_OUT_DIR: path.join(dataDir, 'dist'),
    PORT: '0',
    LOG_LEVEL: 'warn',
    HOTLINE_CALLBACK_URL: `${receiver.url}callbacks`,
    // Every browser test files from 127.0.0.1: the default ten an hour would refuse whichever
    // test happens to come eleventh. The limits have tests of their own (complaints-api).
    COMPLAINT_LIMIT_PER_ADDRESS: '200',
    // Searches from 127.0.0.1 stay well under this; the search limit's browser test stands for
    // another client (X-Forwarded-For, trusted here as behind a proxy) and uses up its minute.
    SEARCH_LIMIT_PER_ADDRESS: String(e2eSearchLimit),
    TRUST_PROXY: 'true',
  })
  const logger = createLogger(config.LOG_LEVEL)
  let product: Product | undefined
  try {
    product = await startProduct(config, logger, {
      ...devStarters,
      forceBuild: true,
      demoCount: 300,
    })
    await waitForSearchIndex(product, 300)
  } catch (error) {
    await product?.stop()
    await receiver.close()
    throw error
  }
  const started = product
  project.provide('siteUrl', started.url)
  project.provide('siteDatabaseUrl', started.stack.databaseUrl)
  project.provide('hotlineCallbacksFile', hotlineCallbacksFile)
  project.provide('siteDataDir', dataDir)
  project.provide('siteSearchLimit', e2eSearchLimit)
  return async () => {
    await started.stop()
    await receiver.close()
    await rm(dataDir, { recursive: true, force: true })
  }
}

/** The outbox worker fills the search index after start; searching tests wait for all of it. */
async function waitForSearchIndex(product: Product, expected: number) {
  const { search } = product.stack.deps
  const index = search.meili.index(search.indexName('enterprises'))
  const deadline = Date.now() + 120_000
  for (;;) {
    const stats = await index.getStats()
    if (stats.numberOfDocuments >= expected && !stats.isIndexing) return
    if (Date.now() > deadline) {
      throw new Error(
        `search index holds ${stats.numberOfDocuments} of ${expected} businesses after 120 s`,
      )
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}
