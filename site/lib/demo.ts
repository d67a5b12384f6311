import { holdsDemoData } from '../../api/services/directory/demo.ts'
import { serviceContext } from './services.ts'

let atBuild: Promise<boolean> | undefined

/**
 * Whether pages must carry the demo-data banner. Prerendered pages ask once per build (thousands
 * of pages, one query); on-demand pages ask on every request, so the banner goes away as soon
 * as the demo list does.
 */
export async function showDemoBanner(isPrerendered: boolean): Promise<boolean> {
  const ask = () => holdsDemoData({ ctx: serviceContext() })
  if (!isPrerendered) {
    try {
      return await ask()
    } catch {
      // A page that cannot reach the database says so itself; the banner must not break it.
      return false
    }
  }
  atBuild ??= ask()
  return atBuild
}
