import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { beijingDate } from '../domain/beijing-time.ts'
import { parseHashKey, parsePiiKeys } from './pii.ts'
import { tightenSecretsFile, writeSecretsFileOnce } from './secrets-file.ts'

export interface DevPiiSecrets {
  /** PII_KEYS spelling: `id:base64key`. */
  piiKeys: string
  /** PII_HASH_KEY spelling: base64. */
  hashKey: string
  /** True when this call generated the file. */
  created: boolean
}

const secretsFileSchema = z.object({ piiKeys: z.string(), hashKey: z.string() })

function readSecrets(file: string): DevPiiSecrets {
  tightenSecretsFile(file)
  let parsed: { piiKeys: string; hashKey: string }
  try {
    parsed = secretsFileSchema.parse(JSON.parse(readFileSync(file, 'utf8')))
    parsePiiKeys(parsed.piiKeys)
    parseHashKey(parsed.hashKey)
  } catch (error) {
    // The messages of parsePiiKeys and parseHashKey never contain key material.
    const detail = error instanceof Error ? error.message : String(error)
    throw new Error(`${file} is not a valid secrets file (${detail}); restore it from a backup`, {
      cause: error,
    })
  }
  return { piiKeys: parsed.piiKeys, hashKey: parsed.hashKey, created: false }
}

/**
 * Development and embedded runs only: the PII keys kept in `<dataDir>/secrets/pii.json`, generated
 * on first use. Losing the file makes the personal data sealed with it unreadable, so it is never
 * replaced: a second process racing to create it adopts the winner's keys instead (link(2) fails
 * when the name exists, where rename(2) would overwrite it). Nothing here logs a key.
 */
export function loadOrCreateDevPiiSecrets(dataDir: string): DevPiiSecrets {
  const dir = path.join(dataDir, 'secrets')
  const file = path.join(dir, 'pii.json')
  try {
    return readSecrets(file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }

  const keyId = `dev-${beijingDate().replaceAll('-', '')}`
  const secrets = {
    piiKeys: `${keyId}:${randomBytes(32).toString('base64')}`,
    hashKey: randomBytes(32).toString('base64'),
  }
  if (!writeSecretsFileOnce(file, secrets)) return readSecrets(file)
  return { ...secrets, created: true }
}
