import { ApiError } from '../../api/errors.ts'
import {
  campaignCsv,
  getPublicCampaign,
  listPublicCampaigns,
} from '../../api/services/inspections/campaigns.ts'
import {
  publicCampaignParams,
  type PublicCampaign,
} from '../../api/services/inspections/schemas.ts'
import { serviceContext } from './services.ts'

// The public campaign pages (一公开): /inspections, /inspections/{id} and its CSV. Rendered on
// request, not prerendered: a campaign's visits are recorded one by one over weeks and each
// result must be public as soon as it is recorded, which a static page would follow only after a
// whole-site rebuild per visit; the pages are small (one campaign, at most a few thousand rows),
// so a short shared cache keeps the load low while a change shows within a minute.

/**
 * A shared cache (CDN, proxy) may keep these pages for a minute; a browser asks again each time,
 * so a resident who reloads after 公示 sees it.
 */
export const publicCacheControl = 'public, max-age=0, s-maxage=60'

export const inspectionsUrl = '/inspections'
export const inspectionUrl = (id: string) => `/inspections/${id}`
export const inspectionCsvUrl = (id: string) => `/inspections/${id}.csv`
export const howToCheckUrl = '/inspections/how-to-check'

export const loadPublicCampaigns = () => listPublicCampaigns({ ctx: serviceContext() })

/** A published campaign, or undefined for a malformed id, an unknown one or one not published. */
export async function loadPublicCampaign(id: string): Promise<PublicCampaign | undefined> {
  if (!publicCampaignParams.safeParse({ id }).success) return undefined
  try {
    return await getPublicCampaign({ ctx: serviceContext(), input: { id } })
  } catch (error) {
    if (error instanceof ApiError && error.code === 'NOT_FOUND') return undefined
    throw error
  }
}

/** The campaign's rows as a CSV download (UTF-8 with BOM); 404 as the page when not published. */
export async function campaignCsvResponse(id: string): Promise<Response> {
  const campaign = await loadPublicCampaign(id)
  if (!campaign) {
    return new Response('没有找到这个专项检查的公示结果。\n', {
      status: 404,
      headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' },
    })
  }
  const name = `专项检查结果-${campaign.id}.csv`
  return new Response(campaignCsv(campaign), {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="inspection-${campaign.id}.csv"; filename*=UTF-8''${encodeURIComponent(name)}`,
      'Cache-Control': publicCacheControl,
    },
  })
}
