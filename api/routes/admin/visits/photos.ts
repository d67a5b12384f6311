import { z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import {
  addVisitPhotosInConsole,
  visitPhotoInConsole,
} from '../../../services/admin/visits/console.ts'
import { visitDetailSchema, visitParams } from '../../../services/admin/visits/schemas.ts'
import type { App, AppEnv } from '../../../env.ts'
import { ApiError } from '../../../errors.ts'
import { errorResponses } from '../../shared.ts'
import { documentConsoleRoute } from '../console-route.ts'
import { consoleRequestOf } from '../guard.ts'

/** The multipart form's `photos` files, as the verb checks them (nothing in them trusted). */
async function readPhotos(c: Context<AppEnv>) {
  const type = c.req.header('content-type')?.toLowerCase() ?? ''
  if (!type.startsWith('multipart/form-data')) {
    throw new ApiError(
      'UNSUPPORTED_MEDIA_TYPE',
      '请以表单（multipart/form-data）上传照片，字段名为 photos。',
    )
  }
  let form: FormData
  try {
    form = await c.req.formData()
  } catch {
    throw new ApiError('BAD_REQUEST', '上传的表单无法解析，请刷新页面后重新上传。')
  }
  const photos = []
  for (const value of form.getAll('photos')) {
    if (!(value instanceof File)) continue
    photos.push({
      name: value.name,
      declaredType: value.type,
      bytes: new Uint8Array(await value.arrayBuffer()),
    })
  }
  return { id: c.req.param('id'), photos }
}

/** Photos of a visit's instruments: added by who may write the visit, read only in the console. */
export function registerVisitPhotoRoutes(app: App) {
  documentConsoleRoute(app, {
    method: 'post',
    path: '/admin/visits/{id}/photos',
    operationId: 'addVisitPhotos',
    summary: '上传检查照片（计量器具照片；每次最多 3 张，每次检查最多 10 张；仅后台可见）',
    description:
      'multipart/form-data with one to three `photos` files (JPEG, PNG, WebP or HEIC, 5 MB each). ' +
      'Needs the X-CSRF-Token header. Location and other metadata are stripped before storing, ' +
      'as for complaint photos. A `viewer` is refused (403).',
    request: {
      params: visitParams,
      body: {
        required: true,
        content: {
          'multipart/form-data': {
            schema: z.object({
              photos: z
                .array(z.string().openapi({ format: 'binary' }))
                .min(1)
                .max(3)
                .openapi({ description: '照片文件（JPEG、PNG、WebP 或 HEIC，每张不超过 5 MB）' }),
            }),
            example: { photos: ['(加油机铭牌照片，JPEG)'] },
          },
        },
      },
    },
    responses: {
      200: {
        description: 'The visit with its photos.',
        content: { 'application/json': { schema: visitDetailSchema } },
      },
      ...errorResponses(400, 401, 403, 404, 413, 415),
    },
  })
  app.post('/admin/visits/:id/photos', async (c) => {
    const view = await addVisitPhotosInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      // Read once the console accepted the request: a stranger is told 401 whatever they sent.
      input: () => readPhotos(c),
    })
    return c.json(view, 200)
  })

  documentConsoleRoute(app, {
    method: 'get',
    path: '/admin/visit-photos/{photoId}',
    operationId: 'getVisitPhoto',
    summary: '检查照片（仅限能查看该次检查的后台用户；不缓存；记入审计日志）',
    description: 'A photo of a visit outside the operator’s reach answers 404, as an unknown one.',
    request: {
      params: z.object({
        photoId: z.string().openapi({ param: { name: 'photoId', in: 'path' }, example: '5' }),
      }),
    },
    responses: {
      200: {
        description: 'The image, as stored (metadata already stripped).',
        content: { 'image/*': { schema: { type: 'string', format: 'binary' } } },
      },
      ...errorResponses(401, 403, 404),
    },
  })
  app.get('/admin/visit-photos/:photoId', async (c) => {
    const photo = await visitPhotoInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      input: c.req.param(),
    })
    return c.body(new Uint8Array(photo.bytes), 200, {
      'Content-Type': photo.contentType,
      'Content-Disposition': 'inline',
    })
  })
}
