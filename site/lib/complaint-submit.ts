import type { AstroCookieSetOptions } from 'astro'
import {
  submitComplaint,
  type ComplaintSubmission,
  type SubmissionOutcome,
} from '../../api/services/complaints/submit.ts'
import { serviceContext } from './services.ts'

/**
 * A posted complaint form, from the raw request to a receipt or the reasons it was refused: read,
 * checked and filed by the same service verb as `POST /api/complaints`.
 */
export function handleSubmission(
  request: Request,
  clientAddress: string,
): Promise<ComplaintSubmission> {
  return submitComplaint({
    ctx: serviceContext(),
    input: { request, entry: 'page', clientAddress },
  })
}

/** The receipt cookie of a filed complaint, in the spelling of Astro.cookies. */
export function receiptCookieFor(
  filed: Pick<Extract<SubmissionOutcome, { kind: 'filed' }>, 'cookie'>,
) {
  const { name, value, options } = filed.cookie
  const astroOptions: AstroCookieSetOptions = { ...options, sameSite: 'strict' }
  return { name, value, options: astroOptions }
}
