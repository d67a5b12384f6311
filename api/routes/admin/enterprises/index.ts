import type { App } from '../../../env.ts'
import { registerConsoleEnterpriseAction } from './action.ts'
import { registerConsoleEnterpriseGet } from './get.ts'
import { registerConsoleEnterpriseImport } from './import.ts'
import { registerConsoleEnterpriseList } from './list.ts'

/** The console's enterprise routes (city_admin only). */
export function registerConsoleEnterpriseRoutes(app: App) {
  registerConsoleEnterpriseList(app)
  registerConsoleEnterpriseGet(app)
  registerConsoleEnterpriseAction(app)
  registerConsoleEnterpriseImport(app)
}
