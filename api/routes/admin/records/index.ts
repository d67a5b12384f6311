import type { App } from '../../../env.ts'
import { registerRecordReads } from './read.ts'
import { registerRecordWrites } from './write.ts'

/** The console's credit records: commitments, objections and corrections (issue 22). */
export function registerRecordRoutes(app: App) {
  registerRecordReads(app)
  registerRecordWrites(app)
}
