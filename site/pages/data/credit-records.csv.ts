import type { APIRoute } from 'astro'
import { beijingDate } from '../../../api/domain/beijing-time.ts'
import { creditRecordsCsv } from '../../../api/services/credit/open-data.ts'
import { serviceContext } from '../../lib/services.ts'

// Built with the site: every change to a record wakes the rebuild, so the file follows the pages.
export const GET: APIRoute = async () =>
  new Response(await creditRecordsCsv({ ctx: serviceContext(), input: { today: beijingDate() } }), {
    headers: { 'Content-Type': 'text/csv; charset=utf-8' },
  })
