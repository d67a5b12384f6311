import type { KeyObject } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Database } from '../db/database.ts'
import type { Config } from './config.ts'
import type { Logger } from './logger.ts'
import type { PhotoStorage } from './photos/storage.ts'
import type { PiiKeyring } from './privacy/pii.ts'
import type { SearchClient } from './search/client.ts'
import type { SessionCache } from './session-cache.ts'
import type { HotlineKeys } from './hotline/keys.ts'
import type { WorkingDayCalendar } from './domain/working-days.ts'
import type { SmsTemplates } from '../content/sms.schema.ts'

/** Keys for personal data: the sealing keyring and the key of phone and query-code hashes. */
export interface Privacy {
  ring: PiiKeyring
  hashKey: KeyObject
}

/** What the API and its services need from the outside world; built once per process. */
export interface Deps {
  config: Config
  db: Kysely<Database>
  search: SearchClient
  logger: Logger
  privacy: Privacy
  photos: PhotoStorage
  /** The State Council's holiday schedule (content/holidays), for legal deadlines. */
  calendar: WorkingDayCalendar
  /** Secrets and callback address of the 12345 hotline integration. */
  hotline: HotlineKeys
  /** The published commitment texts' versions (content/commitments), which a commitment names. */
  commitmentVersions: readonly string[]
  /** The bureau's texts of messages to residents (content/sms/templates.yaml). */
  smsTemplates: SmsTemplates
  /**
   * Console sessions confirmed a moment ago (session-cache.ts): given by the processes that serve
   * the console (`npm start`, server/product.ts), which also listen for changes; without it every
   * request reads its session from the database.
   */
  sessionCache?: SessionCache
}

/** The context every service verb receives: `verb({ ctx, input })`. */
export type ServiceContext = Deps
