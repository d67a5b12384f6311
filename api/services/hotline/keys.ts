import { randomBytes } from 'node:crypto'
import { chmodSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import type { Config } from '../../config.ts'
import {
  generateWebhookSecret,
  parseWebhookSecret,
  parseWebhookSecrets,
  type WebhookSecret,
} from './signature.ts'

/** The secrets and address of the 12345 integration (DESIGN.md section 5). */
export interface HotlineKeys {
  /** Verify inbound events; several while one is being rotated. */
  webhookSecrets: readonly WebhookSecret[]
  /** Signs callbacks. */
  callbackSecret: WebhookSecret
  /** Where callbacks go; undefined keeps them queued. */
  callbackUrl: string | undefined
}

const fileSchema = z.object({ webhookSecret: z.string(), callbackSecret: z.string() })

export interface DevHotlineSecrets {
  webhookSecret: string
  callbackSecret: string
  file: string
  created: boolean
}

/** Where development runs keep their generated hotline secrets. */
export const devHotlineSecretsFile = (dataDir: string) =>
  path.join(dataDir, 'secrets', 'hotline.json')

function read(file: string): DevHotlineSecrets {
  const parsed = fileSchema.parse(JSON.parse(readFileSync(file, 'utf8')))
  parseWebhookSecret(parsed.webhookSecret)
  parseWebhookSecret(parsed.callbackSecret)
  return { ...parsed, file, created: false }
}

/**
 * Development and embedded runs only: a pair of secrets kept in `<dataDir>/secrets/hotline.json`,
 * made on first use, so the simulator (`npm run hotline:simulate`) works at once. Like the PII
 * keys, the file is never replaced: a racing second process adopts the first one's secrets.
 */
export function loadOrCreateDevHotlineSecrets(dataDir: string): DevHotlineSecrets {
  const file = devHotlineSecretsFile(dataDir)
  try {
    return read(file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`${file} is not a valid secrets file; delete it to make new secrets`, {
        cause: error,
      })
    }
  }
  const dir = path.dirname(file)
  // The data folder itself keeps ordinary permissions: the embedded PostgreSQL, run as another
  // user when started as root, must reach its own folder inside it. Only secrets/ is private.
  mkdirSync(dataDir, { recursive: true })
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  if (process.platform !== 'win32') chmodSync(dir, 0o700)
  const secrets = {
    webhookSecret: generateWebhookSecret(),
    callbackSecret: generateWebhookSecret(),
  }
  const temp = path.join(dir, `.hotline.json.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
  writeFileSync(temp, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: 'wx' })
  try {
    linkSync(temp, file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    return read(file)
  } finally {
    unlinkSync(temp)
  }
  return { ...secrets, file, created: true }
}

/**
 * The hotline keys from HOTLINE_WEBHOOK_SECRET and HOTLINE_CALLBACK_SECRET, or, outside
 * production (where the config requires them), from the development file. `onCreated` is told
 * once, when the file is made, so `npm start` can print the secrets for the simulator.
 */
export function hotlineKeysFromConfig(
  config: Config,
  onCreated?: (secrets: DevHotlineSecrets) => void,
): HotlineKeys {
  let webhook = config.HOTLINE_WEBHOOK_SECRET
  let callback = config.HOTLINE_CALLBACK_SECRET
  if (!webhook || !callback) {
    const dev = loadOrCreateDevHotlineSecrets(config.DATA_DIR)
    if (dev.created) onCreated?.(dev)
    webhook ??= dev.webhookSecret
    callback ??= dev.callbackSecret
  }
  return {
    webhookSecrets: parseWebhookSecrets(webhook),
    callbackSecret: parseWebhookSecret(callback.trim()),
    callbackUrl: config.HOTLINE_CALLBACK_URL,
  }
}
