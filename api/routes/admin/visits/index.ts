import type { App } from '../../../env.ts'
import { registerGetVisit } from './get.ts'
import { registerVisitPhotoRoutes } from './photos.ts'
import { registerRecordVisit } from './record.ts'

/** A drawn visit's page, its record and its photos (issue 22, point 4). */
export function registerVisitRoutes(app: App) {
  registerGetVisit(app)
  registerRecordVisit(app)
  registerVisitPhotoRoutes(app)
}
