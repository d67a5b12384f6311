import { activeCountByCounty } from '../../../db/queries/enterprises.ts'
import type { ServiceContext } from '../../deps.ts'
import { certificationPlan } from '../../domain/statistics.ts'

/** City-level (市本级) businesses are listed only when there are some. */
const cityLevelCode = '331100'

interface CountyActiveCount {
  code: string
  name: string
  active: number
}

export interface DirectoryOverview {
  goal: number
  totalActive: number
  counties: CountyActiveCount[]
}

/** The home page's figures: active certifications in all and per county, against the goal. */
export async function directoryOverview({
  ctx,
}: {
  ctx: ServiceContext
}): Promise<DirectoryOverview> {
  const rows = await activeCountByCounty(ctx.db)
  const counties = rows
    .map((r) => ({ code: r.code, name: r.name, active: Number(r.active) }))
    .filter((r) => r.code !== cityLevelCode || r.active > 0)
  return {
    goal: certificationPlan.to,
    totalActive: counties.reduce((sum, c) => sum + c.active, 0),
    counties,
  }
}
