import { directoryOverview } from '../../api/services/directory/overview.ts'
import { beijingDate } from '../../api/domain/beijing-time.ts'
import { facetUrl } from './directory.ts'
import { noticesNewestFirst } from './notices.ts'
import { serviceContext } from './services.ts'

/** Everything the home page shows, read once when it is built. */
export async function loadHome() {
  const [overview, notices] = await Promise.all([
    directoryOverview({ ctx: serviceContext() }),
    noticesNewestFirst(),
  ])
  return {
    ...overview,
    percent: Math.min(100, Math.floor((overview.totalActive / overview.goal) * 100)),
    counties: overview.counties.map((c) => ({ ...c, href: facetUrl('county', c.code) })),
    latestNotices: notices.slice(0, 5),
    asOf: beijingDate(),
  }
}
