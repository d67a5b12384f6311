import { randomBytes } from 'node:crypto'
import {
  chmodSync,
  linkSync,
  mkdirSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { shanghaiToday } from '../time.ts'
import { parseHashKey, parsePiiKeys } from './pii.ts'

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
  // Tighten a file someone copied in with looser permissions.
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600)
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

  // The data folder keeps ordinary permissions (the embedded PostgreSQL, run as another user when
  // started as root, must reach its folder in it); only secrets/ is private.
  mkdirSync(dataDir, { recursive: true })
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  if (process.platform !== 'win32') chmodSync(dir, 0o700)
  const keyId = `dev-${shanghaiToday().replaceAll('-', '')}`
  const secrets = {
    piiKeys: `${keyId}:${randomBytes(32).toString('base64')}`,
    hashKey: randomBytes(32).toString('base64'),
  }
  const temp = path.join(dir, `.pii.json.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
  writeFileSync(temp, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: 'wx' })
  try {
    linkSync(temp, file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    return readSecrets(file)
  } finally {
    unlinkSync(temp)
  }
  return { ...secrets, created: true }
}
