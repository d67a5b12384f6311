import type { APIRoute, GetStaticPaths } from 'astro'
import { statisticsCsvPaths, statisticsCsvResponse } from '../../lib/statistics-page.ts'

// Built with the page, from the same figures: rebuilt daily for complaints (server/site-build.ts).
export const getStaticPaths = (() => statisticsCsvPaths()) satisfies GetStaticPaths

export const GET: APIRoute = ({ params }) => statisticsCsvResponse(params.id ?? '')
