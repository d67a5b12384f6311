import type { Config } from './config.ts'

/** How large a request body may be on one route, and what a refusal tells the sender. */
export interface BodyLimit {
  /** Largest body accepted, in bytes; one byte more is refused with 413. */
  maxBytes: number
  /** What was too large and how to fix it, in plain Chinese (page and API alike). */
  message: string
  /**
   * The page refuses a too-large body itself, showing its form again with `message` (it reads
   * the declared length first); the server then hands it an empty body and closes afterwards.
   */
  pageAnswers?: true
}

const KB = 1024
/** Sign-in, TOTP, password, sign-out and tracking forms: a few short fields and a CSRF token. */
export const tinyFormBytes = 8 * KB
/**
 * Console forms and the console's JSON: the longest field is a 5,000-character note, which is
 * 45 KB urlencoded (each Chinese character is 9 bytes as %XX%XX%XX).
 */
export const consoleFormBytes = 64 * KB
/**
 * One 12345 event: 5,000 characters of content (30 KB even as \uXXXX escapes), a title, an
 * address, 20 departments and 20 attachment addresses; files travel as addresses, never inline.
 */
export const hotlineEventBytes = 256 * KB

type Limits = Pick<Config, 'BODY_LIMIT_BYTES' | 'COMPLAINT_BODY_LIMIT_BYTES'>

const kb = (bytes: number) => `${Math.floor(bytes / KB)} KB`

/** The request's path as routes see it: decoded where possible, without a trailing slash. */
function routePath(path: string): string {
  let decoded = path
  try {
    decoded = decodeURI(path)
  } catch {
    // A malformed escape matches no route with a limit of its own: it gets the smallest.
  }
  return decoded.length > 1 && decoded.endsWith('/') ? decoded.slice(0, -1) : decoded
}

/** What a list upload over its limit is told, by the web server, the API and the page alike. */
export const listUploadMessage = (limit: number) =>
  `名单文件过大：最大 ${kb(limit)}。请删去多余的工作表或列，或分成几个文件导入。`

/** The console's upload of the bureau's list: its file, as large as the API's general limit. */
const importRoutes = new Set(['/admin/enterprises/import', '/api/admin/enterprises/import'])

/** A visit's photo upload: the API's route, and the visit page that posts its photo form. */
const visitPhotoRoutes = /^\/(api\/admin\/visits\/[^/]+\/photos|admin\/visits\/[^/]+)$/

/** The photo step of a complaint filled in step by step (issue 23). */
const draftPhotoStep = '/complaints/steps/photos'

/** The text steps of a complaint filled in step by step, and its check page. */
const textSteps = /^\/complaints\/(steps\/(what|where|about)|check)$/

const signInPages = new Set(['/admin/sign-in', '/admin/totp', '/admin/password', '/admin/sign-out'])

/**
 * The body limit of every route, pages and `/api` alike (issue 20): enforced on the stream by the
 * web server in front of Astro and Hono (server/body-guard.ts), and again by the API's own
 * `bodyLimit` so that every other host of the Hono app keeps the same limits. Only the two
 * complaint routes, matched exactly, get the large limit a form with photos needs.
 */
export function bodyLimitFor(config: Limits, path: string): BodyLimit {
  const route = routePath(path)
  if (route === '/complaints/submit' || route === draftPhotoStep || route === '/api/complaints') {
    return {
      maxBytes: config.COMPLAINT_BODY_LIMIT_BYTES,
      // Three photos of 5 MB (api/photos/accept.ts) and the form fit the default 16 MB.
      message: '提交的内容过大：最多 3 张照片，每张不超过 5 MB。请压缩照片后重试。',
      ...(route === '/api/complaints' ? {} : { pageAnswers: true as const }),
    }
  }
  if (route === '/api/hotline/12345/events') {
    return {
      maxBytes: hotlineEventBytes,
      message: `事件内容过大（上限 ${kb(hotlineEventBytes)}）。附件请以地址（attachments）传送，不要把文件内容放进事件。`,
    }
  }
  if (visitPhotoRoutes.test(route)) {
    return {
      maxBytes: config.COMPLAINT_BODY_LIMIT_BYTES,
      // Three photos of 5 MB (api/services/admin/visits/photos.ts) fit the default 16 MB.
      message: '上传的照片过大：每次最多 3 张，每张不超过 5 MB。请压缩照片后重试。',
    }
  }
  if (importRoutes.has(route)) {
    return {
      maxBytes: config.BODY_LIMIT_BYTES,
      // The web server answers for the page too: a visitor not signed in must get the 413, not
      // the sign-in page, and an administrator gets the message with a link back to the form.
      message: listUploadMessage(config.BODY_LIMIT_BYTES),
    }
  }
  if (route.startsWith('/api/admin/')) {
    return {
      maxBytes: consoleFormBytes,
      message: `提交的内容过大（上限 ${kb(consoleFormBytes)}）。说明文字最多 5000 字，请精简后重试。`,
    }
  }
  if (route.startsWith('/open311/')) {
    return {
      // A GeoReport v2 request is a form of short fields and a 5,000-character description.
      maxBytes: consoleFormBytes,
      message: `提交的内容过大（上限 ${kb(consoleFormBytes)}）。description 最多 5000 字，请精简后重试。`,
    }
  }
  if (route === '/api' || route.startsWith('/api/')) {
    return {
      maxBytes: config.BODY_LIMIT_BYTES,
      message: `提交的内容过大（上限 ${kb(config.BODY_LIMIT_BYTES)}），请删减后重试。`,
    }
  }
  if (textSteps.test(route)) {
    return {
      maxBytes: consoleFormBytes,
      // 事情经过 may hold 5,000 characters: 45 KB urlencoded.
      message: `提交的内容过大（上限 ${kb(consoleFormBytes)}）。事情经过最多 5000 字，请精简后返回重新填写。`,
    }
  }
  if (route === '/complaints/track') {
    return {
      maxBytes: tinyFormBytes,
      message: `提交的内容过大（上限 ${kb(tinyFormBytes)}）。查询只需填写受理编号和查询码，请返回查询页重新填写。`,
    }
  }
  if (signInPages.has(route)) {
    return {
      maxBytes: tinyFormBytes,
      message: `提交的内容过大（上限 ${kb(tinyFormBytes)}）。这个表单只需填写账号、密码或验证码，请返回重新填写。`,
    }
  }
  if (route.startsWith('/admin/')) {
    return {
      maxBytes: consoleFormBytes,
      message: `提交的内容过大（上限 ${kb(consoleFormBytes)}）。说明文字最多 5000 字，请精简后返回重新提交。`,
    }
  }
  return {
    maxBytes: tinyFormBytes,
    message: `提交的内容过大（上限 ${kb(tinyFormBytes)}）。这个页面不接收上传的内容，请返回上一页重新操作。`,
  }
}
