import path from 'node:path'
import { createDb, type DbOptions } from '../../db/client.ts'
import type { Config } from '../config.ts'
import type { Deps, Privacy } from '../deps.ts'
import { createLogger, type Logger } from '../logger.ts'
import { createS3Storage } from '../photos/s3-storage.ts'
import { createFolderStorage, type PhotoStorage } from '../photos/storage.ts'
import { loadOrCreateDevPiiSecrets } from '../privacy/dev-keys.ts'
import { parseHashKey, parsePiiKeys } from '../privacy/pii.ts'
import { createSearchClient } from '../search/client.ts'
import { loadCalendar } from '../services/complaints/working-days.ts'
import { hotlineKeysFromConfig } from '../hotline/keys.ts'
import { loadCommitmentVersions } from '../services/credit/commitment-texts.ts'
import { loadSmsTemplates } from '../services/sms/templates.ts'

/**
 * The keys for personal data: from PII_KEYS and PII_HASH_KEY, or, outside production (where the
 * config refuses to start without them), a pair generated once under DATA_DIR/secrets.
 */
function privacyFromConfig(config: Config, logger?: Logger): Privacy {
  let { PII_KEYS: keys, PII_HASH_KEY: hashKey } = config
  if (!keys || !hashKey) {
    const dev = loadOrCreateDevPiiSecrets(config.DATA_DIR)
    if (dev.created) {
      logger?.warn(
        { dir: path.join(config.DATA_DIR, 'secrets') },
        'generated development keys for personal data; set PII_KEYS and PII_HASH_KEY in production',
      )
    }
    keys ??= dev.piiKeys
    hashKey ??= dev.hashKey
  }
  return { ring: parsePiiKeys(keys), hashKey: parseHashKey(hashKey) }
}

/**
 * The photo store: a folder on this machine, or the S3-compatible bucket every replica shares
 * (config.ts checked that its bucket and keys are set).
 */
export function photoStorageFromConfig(config: Config): PhotoStorage {
  if (config.PHOTO_STORE === 'folder') {
    return createFolderStorage(config.PHOTO_DIR ?? path.join(config.DATA_DIR, 'photos'))
  }
  return createS3Storage({
    bucket: config.S3_BUCKET!,
    prefix: config.S3_PREFIX,
    endpoint: config.S3_ENDPOINT,
    region: config.S3_REGION,
    accessKeyId: config.S3_ACCESS_KEY_ID!,
    secretAccessKey: config.S3_SECRET_ACCESS_KEY!,
    forcePathStyle: config.S3_FORCE_PATH_STYLE,
    serverSideEncryption: config.S3_SERVER_SIDE_ENCRYPTION === 'AES256',
  })
}

/** Everything but the connections: keys, photo storage, the holiday calendar and SMS texts. */
export function completeDeps(config: Config, base: Pick<Deps, 'db' | 'search' | 'logger'>): Deps {
  return {
    ...base,
    config,
    privacy: privacyFromConfig(config, base.logger),
    photos: photoStorageFromConfig(config),
    calendar: loadCalendar(),
    commitmentVersions: loadCommitmentVersions(),
    smsTemplates: loadSmsTemplates(),
    hotline: hotlineKeysFromConfig(config, (dev) =>
      base.logger.warn(
        { file: dev.file },
        'generated development secrets for the 12345 hotline; set HOTLINE_WEBHOOK_SECRET and HOTLINE_CALLBACK_SECRET in production',
      ),
    ),
  }
}

/**
 * A process's dependencies from its configuration alone, for a process given the services'
 * addresses (the background thread, a site build child). The server adds its session cache and
 * installs the result (server/deps.ts).
 */
export function depsFromConfig(
  config: Config,
  options: Pick<DbOptions, 'onConnect' | 'applicationName'> = {},
): Deps {
  if (!config.DATABASE_URL || !config.MEILI_URL) {
    throw new Error(
      'DATABASE_URL 和 MEILI_URL 未设置：请用 `npm start`（会启动内置服务）或设置这两个变量。',
    )
  }
  return completeDeps(config, {
    logger: createLogger(config.LOG_LEVEL),
    db: createDb({
      connectionString: config.DATABASE_URL,
      max: config.DATABASE_POOL_SIZE,
      onConnect: options.onConnect,
      applicationName: options.applicationName,
    }),
    search: createSearchClient({
      url: config.MEILI_URL,
      apiKey: config.MEILI_MASTER_KEY,
      prefix: config.MEILI_INDEX_PREFIX,
    }),
  })
}
