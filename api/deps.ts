import type { Kysely } from 'kysely'
import type { Database } from '../db/database.ts'
import type { Config } from './config.ts'
import type { Logger } from './logger.ts'
import type { SearchClient } from './search/client.ts'

/** What the API and its services need from the outside world; built once per process. */
export interface Deps {
  config: Config
  db: Kysely<Database>
  search: SearchClient
  logger: Logger
}

/** The context every service verb receives: `verb({ ctx, input })`. */
export type ServiceContext = Pick<Deps, 'db' | 'search' | 'logger'>
