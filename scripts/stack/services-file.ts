import { randomBytes } from 'node:crypto'
import { readFileSync, renameSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { devHotlineSecretsFile } from '../../api/hotline/keys.ts'
import { postgresSecretsFile } from './postgres-secrets.ts'

/**
 * Where the embedded services of a data folder can be reached (issue 26): written by the stack
 * that started them, read by a second replica's operator and by the next start, which keeps the
 * same ports when they are free. Addresses only: the secrets stay in DATA_DIR/secrets (0600) and
 * the file names where.
 */
const servicesSchema = z.object({
  /** PID of the `npm start` that started the services. */
  startedBy: z.number().int(),
  postgres: z
    .object({
      host: z.string(),
      port: z.number().int().min(1).max(65535),
      database: z.string(),
      user: z.string(),
      /** The file whose `appPassword` is the user's password. */
      passwordFile: z.string(),
    })
    .optional(),
  meilisearch: z
    .object({
      url: z.string(),
      port: z.number().int().min(1).max(65535),
      /** The file holding the master key. */
      masterKeyFile: z.string(),
    })
    .optional(),
})

export type EmbeddedServices = z.infer<typeof servicesSchema>

export const servicesFile = (dataDir: string) => path.join(path.resolve(dataDir), 'services.json')

/** The services file of `dataDir`, or undefined when there is none (or it cannot be read). */
export function readServicesFile(dataDir: string): EmbeddedServices | undefined {
  try {
    return servicesSchema.parse(JSON.parse(readFileSync(servicesFile(dataDir), 'utf8')))
  } catch {
    return undefined
  }
}

/** Replaces the services file at once (a reader never sees half of it). */
export function writeServicesFile(dataDir: string, services: EmbeddedServices) {
  const file = servicesFile(dataDir)
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`
  writeFileSync(temp, `${JSON.stringify(services, null, 2)}\n`, { mode: 0o644 })
  renameSync(temp, file)
}

/**
 * What `npm start` prints after starting embedded services: how a second replica on this
 * machine joins them (they listen on loopback only). Shell commands that read each secret from
 * its file, so the secrets themselves are never printed.
 */
export function joinNotice(
  dataDir: string,
  services: EmbeddedServices,
  /** A port for the second replica's web server. */
  port = 4322,
): string {
  const dir = path.resolve(dataDir)
  const lines = [
    '─'.repeat(72),
    `内置服务的地址已写入 ${servicesFile(dir)}（不含密码和密钥）。`,
    '在本机再开一个实例（同一份代码、同一个 DATA_DIR；PORT 可换成任一空闲端口），在另一个终端运行：',
  ]
  const vars: string[] = []
  if (services.postgres) {
    const pg = services.postgres
    const password = `$(node -p "require('${pg.passwordFile}').appPassword")`
    vars.push(
      `  DATABASE_URL="postgres://${pg.user}:${password}@${pg.host}:${pg.port}/${pg.database}" \\`,
    )
  }
  if (services.meilisearch) {
    const meili = services.meilisearch
    vars.push(`  MEILI_URL=${meili.url} MEILI_MASTER_KEY="$(cat '${meili.masterKeyFile}')" \\`)
  }
  lines.push(...vars, `  DATA_DIR='${dir}' PORT=${port} npm start`)
  lines.push(
    `同一个 DATA_DIR 下的实例共用 ${path.join(dir, 'secrets')} 中的密钥。用别的 DATA_DIR 时，` +
      `须把 PII_KEYS、PII_HASH_KEY 设为 ${path.join(dir, 'secrets', 'pii.json')} 中的 piiKeys、hashKey` +
      '（否则它会拒绝启动），把 HOTLINE_WEBHOOK_SECRET、HOTLINE_CALLBACK_SECRET 设为 ' +
      `${devHotlineSecretsFile(dir)} 中的值。`,
    `(A second replica on this machine: set the variables above; passwords stay in ${postgresSecretsFile(dir)} and the Meilisearch key file.)`,
    '─'.repeat(72),
    '',
  )
  return lines.join('\n')
}
