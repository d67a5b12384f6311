import type { App } from '../../env.ts'
import { registerGetEnterprise } from './get.ts'
import { registerListEnterprises } from './list.ts'
import { registerGetRecord } from './record.ts'

export function registerEnterpriseRoutes(app: App) {
  registerListEnterprises(app)
  registerGetEnterprise(app)
  registerGetRecord(app)
}
