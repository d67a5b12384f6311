import { setCookie } from 'hono/cookie'
import { complaintReceiptSchema } from '../../services/complaints/schemas.ts'
import { submitComplaint } from '../../services/complaints/submit.ts'
import type { App } from '../../env.ts'
import { ApiError } from '../../errors.ts'
import { clientAddress } from '../client-address.ts'
import { errorResponses } from '../shared.ts'

export function registerCreateComplaint(app: App) {
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/complaints',
    summary: '提交投诉或举报（JSON 或表单；照片用 multipart/form-data 的 photos 字段）',
    description:
      'Fields per DESIGN.md section 6. An `Idempotency-Key` header (or the form field ' +
      '`idempotencyToken`) makes a repeated submission answer with the first receipt. A form ' +
      'post gets 303 to its receipt page.',
    responses: {
      201: {
        description: 'Filed: committed to the database before this answer.',
        content: { 'application/json': { schema: complaintReceiptSchema } },
      },
      303: { description: 'A form post: see the receipt page.' },
      ...errorResponses(400, 409, 413, 415, 429),
    },
  })

  // The service reads the body and decides; this turns its outcome into HTTP.
  app.post('/complaints', async (c) => {
    const { outcome } = await submitComplaint({
      ctx: c.get('ctx'),
      input: { request: c.req.raw, entry: 'api', clientAddress: clientAddress(c) },
    })
    if (outcome.kind === 'refused') {
      throw new ApiError(outcome.code, outcome.message, outcome.details)
    }
    const { receipt, cookie } = outcome
    if (receipt.replayed) c.header('Idempotent-Replayed', 'true')
    if (outcome.postedAsForm) {
      setCookie(c, cookie.name, cookie.value, cookie.options)
      return c.redirect(`/complaints/receipt/${receipt.trackingNo}`, 303)
    }
    return c.json(
      {
        trackingNo: receipt.trackingNo,
        queryCode: receipt.queryCode,
        status: receipt.status,
        dueAt: receipt.dueAt,
      },
      201,
    )
  })
}
