import type { APIRoute } from 'astro'
import { monthlyReportDownload } from '../../../lib/admin/reports-page.ts'

export const prerender = false

export const GET: APIRoute = (context) => monthlyReportDownload(context)
