import { z } from '@hono/zod-openapi'
import { casePhotoInConsole } from '../../../services/admin/cases/console.ts'
import type { App } from '../../../env.ts'
import { errorResponses } from '../../shared.ts'
import { documentConsoleRoute } from '../console-route.ts'
import { consoleRequestOf } from '../guard.ts'

/** A photo's id, as the case's `photos[].url` names it. */
const photoParams = z.object({
  photoId: z.string().openapi({ param: { name: 'photoId', in: 'path' }, example: '17' }),
})

export function registerGetCasePhoto(app: App) {
  documentConsoleRoute(app, {
    method: 'get',
    path: '/admin/photos/{photoId}',
    operationId: 'getCasePhoto',
    summary: '案件照片（仅限能查看该案件的后台用户；不缓存；记入审计日志）',
    description:
      'A photo of a case outside the operator’s county answers 404, as an unknown one does.',
    request: { params: photoParams },
    responses: {
      200: {
        description: 'The image, as stored at intake (location data already stripped).',
        content: { 'image/*': { schema: { type: 'string', format: 'binary' } } },
      },
      ...errorResponses(401, 403, 404),
    },
  })

  app.get('/admin/photos/:photoId', async (c) => {
    const photo = await casePhotoInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: c.req.param(),
    })
    // Shown in the page, never saved under a name the browser picks from the URL.
    return c.body(new Uint8Array(photo.bytes), 200, {
      'Content-Type': photo.contentType,
      'Content-Disposition': 'inline',
    })
  })
}
