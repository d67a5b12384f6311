import { mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { Meilisearch } from 'meilisearch'
import { afterAll, expect, it } from 'vitest'
import { startEmbeddedMeili, type EmbeddedMeiliHandle } from '../../scripts/stack/meilisearch.ts'

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
