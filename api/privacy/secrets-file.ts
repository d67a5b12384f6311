import { randomBytes } from 'node:crypto'
import { chmodSync, linkSync, mkdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs'
import path from 'node:path'

/** Tightens a secrets file someone copied in with looser permissions than 0600. */
export function tightenSecretsFile(file: string) {
  if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600)
}

/**
 * Writes generated secrets to `file` (mode 0600, in a private 0700 folder) unless it exists, and
 * answers whether this call wrote it. A file of secrets is never replaced: data sealed with them
 * would become unreadable. A second process racing to create it loses and reads the winner's
 * (link(2) fails when the name exists, where rename(2) would overwrite it). Only the folder of
 * secrets is private: its parent keeps ordinary permissions, since the embedded PostgreSQL, run
 * as another user when started as root, must reach its own folder beside it.
 */
export function writeSecretsFileOnce(file: string, secrets: object): boolean {
  const dir = path.dirname(file)
  mkdirSync(path.dirname(dir), { recursive: true })
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  if (process.platform !== 'win32') chmodSync(dir, 0o700)
  const name = path.basename(file)
  const temp = path.join(dir, `.${name}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`)
  writeFileSync(temp, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600, flag: 'wx' })
  try {
    linkSync(temp, file)
    return true
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    return false
  } finally {
    unlinkSync(temp)
  }
}
