import { randomBytes } from 'node:crypto'
import argon2 from 'argon2'

/**
 * Argon2id at OWASP's minimum for it (Password Storage Cheat Sheet: 19 MiB of memory, two
 * passes, one lane). Stored as a PHC string, which names these parameters, so raising them later
 * re-hashes each password at its next sign-in.
 */
export const argon2MemoryKib = 19456
export const argon2TimeCost = 2
export const argon2Parallelism = 1

const options = {
  type: argon2.argon2id,
  memoryCost: argon2MemoryKib,
  timeCost: argon2TimeCost,
  parallelism: argon2Parallelism,
} as const

/** Longer passwords are refused before hashing: hashing megabytes is a cheap way to load a server. */
export const passwordMaxLength = 128

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, options)
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  if (password.length > passwordMaxLength) return false
  try {
    return await argon2.verify(hash, password)
  } catch {
    // A malformed stored hash signs nobody in.
    return false
  }
}

/** Whether a stored hash was made with other parameters than today's. */
export const passwordNeedsRehash = (hash: string) => argon2.needsRehash(hash, options)

let dummy: Promise<string> | undefined

/**
 * A hash no one knows the password of, checked for unknown names, so that trying a name that does
 * not exist takes as long as trying one that does (and timing does not tell which names exist).
 */
export function dummyPasswordHash(): Promise<string> {
  dummy ??= hashPassword(randomBytes(32).toString('base64url'))
  return dummy
}
