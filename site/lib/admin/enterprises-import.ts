import { ApiError } from '../../../api/errors.ts'
import { listUploadMessage } from '../../../api/body-limits.ts'
import { importListInConsole } from '../../../api/services/admin/enterprises/console.ts'
import { ConsoleRefusal } from '../../../api/services/admin/console-request.ts'
import type { ImportProblem } from '../../../api/services/enterprises/import-file.ts'
import { serviceContext } from '../services.ts'
import { withForm, type ConsoleRequest } from './session.ts'

const noFile = '没有收到名单文件：请选择填好的 .xlsx 或 .csv 文件后再上传。'

export const importPageUrl = '/admin/enterprises/import'

/** What the import page shows after a GET or an upload. */
export type ImportPage =
  | { kind: 'form'; status: number; message?: string }
  | { kind: 'problems'; status: 400; fileName: string; problems: ImportProblem[] }
  | {
      kind: 'done'
      status: 200
      fileName: string
      dryRun: boolean
      rowCount: number
      added: string[]
      changed: string[]
      unchanged: number
      /** Businesses given a new self-commitment (承诺书版本, 承诺日期, 签署人职务). */
      committed: number
      ignoredColumns: string[]
      demoDataPresent: boolean
    }

/**
 * The form's body, read up to `limit` bytes and no further: a larger upload is refused once the
 * limit is crossed, never held whole in memory.
 */
async function readLimitedForm(request: Request, limit: number): Promise<FormData | 'too-large'> {
  const declared = Number(request.headers.get('content-length') ?? '0')
  if (declared > limit) return 'too-large'
  const chunks: Uint8Array[] = []
  let size = 0
  if (request.body) {
    const reader = request.body.getReader()
    for (;;) {
      const { done, value } = await reader.read()
      if (done) break
      size += value.byteLength
      if (size > limit) {
        await reader.cancel()
        return 'too-large'
      }
      chunks.push(value)
    }
  }
  const body = new Blob(chunks as BlobPart[])
  return new Response(body, {
    headers: { 'content-type': request.headers.get('content-type') ?? '' },
  }).formData()
}

/**
 * The console's list upload. GET shows the form; POST (multipart: csrf, file, dryRun) imports
 * through the same service verb as the API. The result is shown at once rather than after a
 * redirect: submitting the same list again, as a reload would, changes nothing.
 */
export async function handleImportRequest(input: {
  request: Request
  console: ConsoleRequest
}): Promise<ImportPage> {
  if (input.request.method !== 'POST') return { kind: 'form', status: 200 }
  const ctx = serviceContext()
  // The same limit as the API's: the whole body, so a list that fits one fits the other.
  const limit = ctx.config.BODY_LIMIT_BYTES
  const form = await readLimitedForm(input.request, limit).catch(() => null)
  if (form === 'too-large') {
    return { kind: 'form', status: 413, message: listUploadMessage(limit) }
  }
  const stale = () => {
    const message = '页面已过期（安全令牌无效），请刷新页面后重新上传。'
    return { kind: 'form', status: 403, message } as const
  }
  if (!form) return stale()
  const file = form.get('file')
  const fileName = file instanceof File ? file.name : ''
  try {
    const outcome = await importListInConsole({
      ctx,
      request: withForm(input.console, form),
      // Read once the console accepted the form (its CSRF token first).
      input: async () => {
        if (!(file instanceof File) || file.size === 0) throw new ApiError('BAD_REQUEST', noFile)
        const bytes = new Uint8Array(await file.arrayBuffer())
        return { fileName, bytes, dryRun: form.get('dryRun') === 'on' }
      },
    })
    if (!outcome.ok) return { kind: 'problems', status: 400, fileName, problems: outcome.problems }
    return {
      kind: 'done',
      status: 200,
      fileName,
      dryRun: outcome.dryRun,
      rowCount: outcome.rowCount,
      added: outcome.result.added,
      changed: outcome.result.changed,
      unchanged: outcome.result.unchanged.length,
      committed: outcome.result.committed.length,
      ignoredColumns: outcome.ignoredColumns,
      demoDataPresent: outcome.demoDataPresent,
    }
  } catch (error) {
    if (error instanceof ConsoleRefusal) return stale()
    if (error instanceof ApiError && error.status < 500) {
      return { kind: 'form', status: error.status, message: error.message }
    }
    throw error
  }
}
