import { mkdirSync, statSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { parseConfig } from '../../api/config.ts'
import {
  devHotlineSecretsFile,
  hotlineKeysFromConfig,
  type DevHotlineSecrets,
} from '../../api/hotline/keys.ts'
import { generateWebhookSecret, parseWebhookSecret } from '../../api/hotline/signature.ts'
import { loadOrCreateDevPiiSecrets } from '../../api/privacy/dev-keys.ts'
import { simulatorSecrets } from '../../scripts/hotline/secrets.ts'
import { devHotlineSecretsNotice } from '../../scripts/hotline/start-notice.ts'

let dataDir: string
beforeEach(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'hotline-keys-'))
})
afterEach(() => rm(dataDir, { recursive: true, force: true }))

describe('development hotline secrets, printed once by npm start', () => {
  it('makes a missing data folder with ordinary permissions and only secrets/ private', () => {
    // The embedded PostgreSQL, run as another user when started as root, must reach its own
    // folder inside the data folder, which these secrets may be the first to create.
    const fresh = path.join(dataDir, 'fresh')
    const ordinary = path.join(dataDir, 'ordinary')
    mkdirSync(ordinary)
    hotlineKeysFromConfig(parseConfig({ DATA_DIR: fresh }))
    loadOrCreateDevPiiSecrets(path.join(dataDir, 'fresh-pii'))
    const mode = (p: string) => statSync(p).mode & 0o777
    expect(mode(fresh)).toBe(mode(ordinary))
    expect(mode(path.join(dataDir, 'fresh-pii'))).toBe(mode(ordinary))
    expect(mode(path.join(fresh, 'secrets'))).toBe(0o700)
  })

  it('reports the secrets only on the start that generated them', async () => {
    const config = parseConfig({ DATA_DIR: dataDir })
    const onCreated = vi.fn<(secrets: DevHotlineSecrets) => void>()

    const first = hotlineKeysFromConfig(config, onCreated)
    const second = hotlineKeysFromConfig(config, onCreated)

    expect(onCreated).toHaveBeenCalledTimes(1)
    const created = onCreated.mock.calls[0]![0]
    expect(created.file).toBe(devHotlineSecretsFile(dataDir))
    const stored = JSON.parse(await readFile(created.file, 'utf8')) as Record<string, string>
    expect(stored).toEqual({
      webhookSecret: created.webhookSecret,
      callbackSecret: created.callbackSecret,
    })
    // The second start uses the same secrets, so a running simulator keeps working.
    expect(second.webhookSecrets[0]!.key.equals(first.webhookSecrets[0]!.key)).toBe(true)
    expect(second.callbackSecret.key.equals(first.callbackSecret.key)).toBe(true)
  })

  it('generates and reports nothing when both secrets are set', () => {
    const config = parseConfig({
      DATA_DIR: dataDir,
      HOTLINE_WEBHOOK_SECRET: generateWebhookSecret(),
      HOTLINE_CALLBACK_SECRET: generateWebhookSecret(),
    })
    const onCreated = vi.fn()
    hotlineKeysFromConfig(config, onCreated)
    expect(onCreated).not.toHaveBeenCalled()
    expect(() => simulatorSecrets(parseConfig({ DATA_DIR: dataDir }))).toThrow(/npm start/)
  })

  it('prints both secrets, where they are kept and how to run the simulator', () => {
    const config = parseConfig({ DATA_DIR: dataDir })
    let created: DevHotlineSecrets | undefined
    hotlineKeysFromConfig(config, (secrets) => (created = secrets))
    const notice = devHotlineSecretsNotice(created!, 'http://127.0.0.1:4321')
    expect(notice).toContain(`HOTLINE_WEBHOOK_SECRET=${created!.webhookSecret}`)
    expect(notice).toContain(`HOTLINE_CALLBACK_SECRET=${created!.callbackSecret}`)
    expect(notice).toContain(created!.file)
    expect(notice).toContain('npm run hotline:simulate')
    expect(notice).toContain('http://127.0.0.1:4321/developers/12345')
  })

  it('gives the simulator the secrets the instance uses', () => {
    const config = parseConfig({ DATA_DIR: dataDir })
    const keys = hotlineKeysFromConfig(config)
    const secrets = simulatorSecrets(config)
    expect(parseWebhookSecret(secrets.webhookSecret).key.equals(keys.webhookSecrets[0]!.key)).toBe(
      true,
    )
    expect(parseWebhookSecret(secrets.callbackSecret).key.equals(keys.callbackSecret.key)).toBe(
      true,
    )
  })

  it('signs with the first of several webhook secrets during a rotation', () => {
    const [current, old] = [generateWebhookSecret(), generateWebhookSecret()]
    const callback = generateWebhookSecret()
    const config = parseConfig({
      DATA_DIR: dataDir,
      HOTLINE_WEBHOOK_SECRET: `${current} ${old}`,
      HOTLINE_CALLBACK_SECRET: callback,
    })
    expect(simulatorSecrets(config)).toMatchObject({
      webhookSecret: current,
      callbackSecret: callback,
    })
  })
})
