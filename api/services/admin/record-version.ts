import { z } from '@hono/zod-openapi'

/** The most digits a version may have, and so the largest version: 999,999,999. */
const maxDigits = 9
const maxVersion = 10 ** maxDigits - 1
const digits = new RegExp(`^\\d{1,${maxDigits}}$`)

/**
 * The version a record was read at, which every console edit sends back so that a save over a
 * newer one is refused (409): a number from the API, a string of digits from a page's hidden
 * field. Anything else (blank, "1e3", "-1", "1.5", " 7") is refused, never read as 0; the
 * messages name it by `label` and say to reload the page.
 */
export function recordVersion(label: string, min = 0) {
  const wrong = `${label}有误，请刷新页面后重试`
  return z.preprocess(
    (v) => (typeof v === 'string' && digits.test(v) ? Number(v) : v),
    z
      .number({
        error: (issue) =>
          issue.input === undefined || issue.input === ''
            ? `缺少${label}，请刷新页面后重试`
            : wrong,
      })
      .int(wrong)
      .min(min, wrong)
      .max(maxVersion, wrong),
  )
}
