import { readFileSync } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { writeSecretsFileOnce } from '../privacy/secrets-file.ts'
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
function loadOrCreateDevHotlineSecrets(dataDir: string): DevHotlineSecrets {
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
  const secrets = {
    webhookSecret: generateWebhookSecret(),
    callbackSecret: generateWebhookSecret(),
  }
  if (!writeSecretsFileOnce(file, secrets)) return read(file)
  return { ...secrets, file, created: true }
}

/**
 * The hotline keys from HOTLINE_WEBHOOK_SECRET and HOTLINE_CALLBACK_SECRET, or, outside
 * production (where the config requires them), from the development file. `onCreated` is told
 * once, when the file is made, so `npm start` can print the secrets for the simulator.
 */
export function hotlineKeysFromConfig(
  // The part of Config it reads, spelled out: api/config.ts imports this folder (signature.ts),
  // so importing its type back would tie the two folders in a loop.
  config: {
    HOTLINE_WEBHOOK_SECRET?: string | undefined
    HOTLINE_CALLBACK_SECRET?: string | undefined
    HOTLINE_CALLBACK_URL?: string | undefined
    DATA_DIR: string
  },
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
