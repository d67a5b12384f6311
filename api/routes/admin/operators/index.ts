import type { App } from '../../../env.ts'
import { registerOperatorAction } from './action.ts'
import { registerOperatorCreate } from './create.ts'
import { registerOperatorList } from './list.ts'

/** Console accounts (city_admin only): list, create, and the actions on one account. */
export function registerOperatorRoutes(app: App) {
  registerOperatorList(app)
  registerOperatorCreate(app)
  registerOperatorAction(app)
}
