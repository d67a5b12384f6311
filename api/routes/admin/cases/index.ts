import type { App } from '../../../env.ts'
import { registerGetCasePhoto } from '../photos/get.ts'
import { registerActOnCase } from './act.ts'
import { registerGetCase } from './get.ts'
import { registerListCases } from './list.ts'
import { registerMergeCase } from './merge.ts'
import { registerRevealContact } from './reveal.ts'

/** The case handlers' queue, case pages, actions and case photos (issue 4). */
export function registerCaseRoutes(app: App) {
  registerListCases(app)
  registerGetCase(app)
  registerRevealContact(app)
  registerActOnCase(app)
  registerMergeCase(app)
  registerGetCasePhoto(app)
}
