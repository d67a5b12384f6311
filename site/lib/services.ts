import type { ServiceContext } from '../../api/deps.ts'
import { getRuntime } from '../../api/runtime.ts'

/** What a page passes to a service verb: the process's database, search client and logger. */
export function serviceContext(): ServiceContext {
  return getRuntime()
}
