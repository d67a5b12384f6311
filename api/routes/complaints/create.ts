import { setCookie } from 'hono/cookie'
import {
  complaintExample,
  complaintFieldsSchema,
  complaintReceiptSchema,
} from '../../services/complaints/schemas.ts'
import { submitComplaint } from '../../services/complaints/submit.ts'
import type { App } from '../../env.ts'
import { categoryLabels, unitLabels } from '../../domain/complaints.ts'
import { ApiError } from '../../errors.ts'
import { clientAddress } from '../client-address.ts'
import { errorResponses } from '../shared.ts'

/** `code` 名称 pairs, so the document names every accepted value with what it means. */
const listed = (labels: Record<string, string>) =>
  Object.entries(labels)
    .map(([code, label]) => `\`${code}\` ${label}`)
    .join(', ')

export function registerCreateComplaint(app: App) {
  app.openAPIRegistry.registerPath({
    method: 'post',
    path: '/complaints',
    operationId: 'fileComplaint',
    security: [],
    summary: '提交投诉或举报（JSON 或表单；照片用 multipart/form-data 的 photos 字段）',
    description:
      'Fields: `kind` (`complaint` 投诉, a dispute of your own; `report` 举报, a tip-off that ' +
      'may be anonymous); `category` (' +
      listed(categoryLabels) +
      '); `county` (the county code, 3311xx); `merchantName`; `merchantUscc` (optional, the ' +
      "business's unified social credit code); `address`; `occurredAt` (`YYYY-MM-DDTHH:mm` in " +
      'Beijing time, or ISO 8601 with an offset; not in the future nor over three years ago); ' +
      '`description` (10 to 5,000 characters); `name` and `phone` (required for `complaint`, ' +
      'optional for `report`); `smsUpdates` (optional, `true` or `false`, a form sends `yes` or ' +
      '`no`: SMS of acceptance, the published reply and closure to a mobile `phone`; default ' +
      'true when one is given); `consent` (must be true); and for short weight, together, ' +
      '`claimedQuantity`, `measuredQuantity`, `unit` (' +
      listed(unitLabels) +
      ') and the optional `unitPrice` in yuan. An `Idempotency-Key` header (or the form field ' +
      '`idempotencyToken`) makes a repeated submission answer with the first receipt. A form ' +
      'post gets 303 to its receipt page.',
    request: {
      body: {
        required: true,
        content: {
          'application/json': {
            schema: complaintFieldsSchema,
            example: complaintExample,
          },
        },
      },
    },
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
