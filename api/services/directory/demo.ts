import { hasDemoData } from '../../../db/queries/enterprises.ts'
import type { ServiceContext } from '../../deps.ts'

/** True while the database holds the generated demo list, so every page can say so. */
export async function holdsDemoData({ ctx }: { ctx: ServiceContext }): Promise<boolean> {
  return hasDemoData(ctx.db)
}
