import { listCounties, listSectors } from '../../../../db/queries/enterprises.ts'
import type { ServiceContext } from '../../../deps.ts'

export interface Option {
  value: string
  label: string
}

/** The counties and sectors a business may be given, in directory order, for the console's forms. */
export async function enterpriseFormOptions({
  ctx,
}: {
  ctx: ServiceContext
}): Promise<{ counties: Option[]; sectors: Option[] }> {
  const [counties, sectors] = await Promise.all([listCounties(ctx.db), listSectors(ctx.db)])
  return {
    counties: counties.map((c) => ({ value: c.code, label: c.name })),
    sectors: sectors.map((s) => ({ value: s.code, label: s.name })),
  }
}
