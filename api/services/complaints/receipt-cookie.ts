import { normalizeTrackingNo } from '../../domain/tracking-codes.ts'

/**
 * After a form post the receipt page must show the query code once, but the code is stored only
 * as a hash and must not sit in a URL (history, referrers). It travels in a short-lived,
 * HttpOnly cookie scoped to the receipt pages.
 */
export const receiptCookieName = 'jl_receipt'

export function receiptCookie(receipt: { trackingNo: string; queryCode: string }) {
  return {
    name: receiptCookieName,
    value: `${receipt.trackingNo}.${receipt.queryCode}`,
    options: {
      path: '/complaints/receipt',
      httpOnly: true,
      sameSite: 'Strict' as const,
      maxAge: 30 * 60,
    },
  }
}

/** The query code the cookie holds for this tracking number, if it holds one. */
export function queryCodeFromCookie(value: string | undefined, trackingNo: string) {
  if (!value) return undefined
  const [no, code] = value.split('.')
  if (!no || !code || normalizeTrackingNo(no) !== normalizeTrackingNo(trackingNo)) return undefined
  return /^[0-9A-Z]{4}-[0-9A-Z]{4}$/.test(code) ? code : undefined
}
