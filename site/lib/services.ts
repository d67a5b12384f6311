import type { ServiceContext } from '../../api/deps.ts'
import { installedDeps } from '../../server/deps.ts'

/** What a page passes to a service verb: the process's database, search client and logger. */
export function serviceContext(): ServiceContext {
  return installedDeps()
}
