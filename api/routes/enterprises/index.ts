import type { App } from '../../env.ts'
import { registerGetEnterprise } from './get.ts'
import { registerListEnterprises } from './list.ts'

export function registerEnterpriseRoutes(app: App) {
  registerListEnterprises(app)
  registerGetEnterprise(app)
}
