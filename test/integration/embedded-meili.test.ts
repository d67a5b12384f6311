import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { Meilisearch } from 'meilisearch'
import { afterAll, expect, it } from 'vitest'
import { backgroundNice } from '../../api/worker/priority.ts'
import {
  indexingThread,
  startEmbeddedMeili,
  type EmbeddedMeiliHandle,
} from '../../scripts/stack/meilisearch.ts'

const root = path.resolve(import.meta.dirname, '../..')
const dir = path.join(root, '.data', 'test', `embedded-meili-${process.pid}`)
let meili: EmbeddedMeiliHandle | undefined

afterAll(async () => {
  await meili?.stop()
  await rm(dir, { recursive: true, force: true })
})

it('starts with a master key that begins with a dash, and keeps the key out of the process list', async () => {
  // Generated keys are base64url, so one in 64 begins with '-': it must not be read as an option.
  const key = '-MdashFirstKeyForTheEmbeddedServer0123'
  await mkdir(dir, { recursive: true })
  await writeFile(path.join(dir, 'master-key'), `${key}\n`)
  meili = await startEmbeddedMeili({ dir, cacheDir: path.join(root, '.data', 'bin') })

  expect(meili.masterKey).toBe(key)
  const client = new Meilisearch({ host: meili.url, apiKey: key })
  expect(Array.isArray((await client.getKeys()).results)).toBe(true)
  const wrong = new Meilisearch({ host: meili.url, apiKey: 'not-the-key-of-this-server' })
  await expect(wrong.getKeys()).rejects.toThrow()

  const commandLine = await readFile(`/proc/${meili.pid()}/cmdline`, 'utf8')
  expect(commandLine).toContain('--db-path')
  expect(commandLine).not.toContain(key)
})

/** Each thread of the server by name, with its nice value. */
async function threads(pid: number): Promise<{ name: string; nice: number }[]> {
  const found = []
  for (const tid of await readdir(`/proc/${pid}/task`)) {
    try {
      const name = (await readFile(`/proc/${pid}/task/${tid}/comm`, 'utf8')).trim()
      found.push({ name, nice: os.getPriority(Number(tid)) })
    } catch {
      // ended since the listing
    }
  }
  return found
}

it('indexes at a lower priority than it answers searches, including the threads a batch starts', async () => {
  const pid = meili!.pid()!
  const client = new Meilisearch({ host: meili!.url, apiKey: meili!.masterKey })
  const documents = Array.from({ length: 20_000 }, (_, id) => ({
    id,
    title: `第${id}号摊位 电子秤 缺斤短两`,
  }))
  await client.index('priority').addDocuments(documents).waitTask({ timeout: 60_000 })
  expect((await client.index('priority').getStats()).numberOfDocuments).toBe(20_000)

  const all = await threads(pid)
  const indexing = all.filter((t) => indexingThread.test(t.name))
  const serving = all.filter((t) => t.name.startsWith('actix-rt'))
  expect(indexing.map((t) => t.name)).toEqual(
    expect.arrayContaining(['scheduler', 'indexing-thread', 'batch-operation']),
  )
  expect(indexing.filter((t) => t.nice !== backgroundNice)).toEqual([])
  expect(serving.length).toBeGreaterThan(0)
  expect(serving.every((t) => t.nice === 0)).toBe(true)
})
