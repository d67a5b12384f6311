import type { App } from '../../../env.ts'
import { registerOperatorAction } from './action.ts'
import { registerOperatorCreate } from './create.ts'
import { registerOperatorList } from './list.ts'
import { registerOperatorScope } from './scope.ts'

/** Console accounts (city_admin only): list, create, the actions on one account, its scope. */
export function registerOperatorRoutes(app: App) {
  registerOperatorList(app)
  registerOperatorCreate(app)
  registerOperatorAction(app)
  registerOperatorScope(app)
}
