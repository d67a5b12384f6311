import { randomBytes } from 'node:crypto'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { tightenSecretsFile, writeSecretsFileOnce } from '../../api/privacy/secrets-file.ts'

/** The passwords of one embedded PostgreSQL, made for its data folder alone. */
export interface PostgresSecrets {
  /** The superuser's: only the stack uses it, to create the app's role and database. */
  superuserPassword: string
  /** The app role's: what the product connects with. */
  appPassword: string
  /** True when this call generated the file. */
  created: boolean
}

const fileSchema = z.object({
  superuserPassword: z.string().min(32),
  appPassword: z.string().min(32),
})

/** Where an embedded PostgreSQL's passwords are kept, beside the other generated secrets. */
export const postgresSecretsFile = (dataDir: string) =>
  path.join(path.resolve(dataDir), 'secrets', 'postgres.json')

function read(file: string): PostgresSecrets {
  tightenSecretsFile(file)
  let parsed: z.infer<typeof fileSchema>
  try {
    parsed = fileSchema.parse(JSON.parse(readFileSync(file, 'utf8')))
  } catch (error) {
    throw new Error(
      `${file} is not a valid secrets file; restore it from a backup, or delete it to make new passwords (the next start sets them)`,
      { cause: error },
    )
  }
  return { ...parsed, created: false }
}

const password = () => randomBytes(32).toString('base64url')

/**
 * The embedded PostgreSQL's passwords, kept in `<dataDir>/secrets/postgres.json` (mode 0600) and
 * generated on first use, so that no two data folders share one and none is written in the code
 * (issue 20). As with the other generated secrets, a racing second process adopts the first
 * one's file (link(2) fails when the name exists, where rename(2) would overwrite it).
 */
export function loadOrCreatePostgresSecrets(dataDir: string): PostgresSecrets {
  const file = postgresSecretsFile(dataDir)
  try {
    return read(file)
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  const secrets = { superuserPassword: password(), appPassword: password() }
  if (!writeSecretsFileOnce(file, secrets)) return read(file)
  return { ...secrets, created: true }
}
