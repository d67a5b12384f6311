import type { APIRoute } from 'astro'
import { campaignCsvResponse } from '../../lib/inspections-page.ts'

export const prerender = false

/** The campaign page's rows as CSV, for Excel and WPS (UTF-8 with a byte-order mark). */
export const GET: APIRoute = ({ params }) => campaignCsvResponse(params.id ?? '')
