import { z } from '@hono/zod-openapi'
import { importListInConsole } from '../../../services/admin/enterprises/console.ts'
import type { App } from '../../../env.ts'
import { ApiError } from '../../../errors.ts'
import { errorResponses } from '../../shared.ts'
import { documentConsoleRoute } from '../console-route.ts'
import { consoleRequestOf } from '../guard.ts'

const importedSchema = z
  .object({
    dryRun: z.boolean().openapi({ description: '试运行：只比较，没有写入' }),
    rowCount: z.number().int().openapi({ description: '数据行数（不含空行）' }),
    added: z.array(z.string()).openapi({ description: '新增单位的统一社会信用代码' }),
    changed: z.array(z.string()).openapi({ description: '有变更的单位' }),
    unchanged: z.number().int().openapi({ description: '不变的单位数' }),
    committed: z
      .array(z.string())
      .openapi({ description: '记录了新的自我承诺的单位（承诺书版本、承诺日期、签署人职务三列）' }),
    ignoredColumns: z.array(z.string()).openapi({ description: '不认识、未读取的表头' }),
    demoDataPresent: z.boolean().openapi({ description: '数据库里还有演示数据' }),
  })
  .openapi('EnterpriseListImported')

/** Reads the multipart form's `file` and `dryRun`; anything else is a Chinese 400 or 415. */
async function readUpload(form: FormData) {
  const file = form.get('file')
  if (!(file instanceof File)) {
    throw new ApiError('BAD_REQUEST', '没有收到名单文件：请选择 .xlsx 或 .csv 文件后再上传。')
  }
  const flag = form.get('dryRun')
  const dryRun = typeof flag === 'string' && ['1', 'true', 'on'].includes(flag.toLowerCase())
  return { fileName: file.name, bytes: new Uint8Array(await file.arrayBuffer()), dryRun }
}

/** `POST /api/admin/enterprises/import`: the console's upload of the bureau's list. */
export function registerConsoleEnterpriseImport(app: App) {
  documentConsoleRoute(app, {
    method: 'post',
    path: '/admin/enterprises/import',
    operationId: 'importEnterprises',
    summary: '后台：上传诚信计量单位名单导入（.xlsx 或 CSV，UTF-8 或 GB18030）',
    description:
      'multipart/form-data with `file` and optional `dryRun` (true). Needs the X-CSRF-Token ' +
      'header. Read and checked as `npm run import:enterprises` does: a list with any wrong row ' +
      'writes nothing and answers 400 with every problem in `details` ' +
      '(`row`, `column`, `value`, `reason`). Importing the same list again changes nothing. ' +
      'The body is held to BODY_LIMIT_BYTES like every API request (413).',
    request: {
      body: {
        required: true,
        content: {
          'multipart/form-data': {
            schema: z.object({
              file: z.string().openapi({
                format: 'binary',
                description: '名单文件：.xlsx 或 .csv（UTF-8 或 GB18030）',
              }),
              dryRun: z
                .enum(['true', 'false'])
                .optional()
                .openapi({ description: '试运行：只比较，不写入' }),
            }),
            example: { file: '(诚信计量单位名单.xlsx)', dryRun: 'true' },
          },
        },
      },
    },
    responses: {
      200: {
        description: 'Imported (or, for a dry run, compared).',
        content: { 'application/json': { schema: importedSchema } },
      },
      ...errorResponses(400, 401, 403, 413, 415),
    },
  })

  app.post('/admin/enterprises/import', async (c) => {
    const outcome = await importListInConsole({
      ctx: c.get('ctx'),
      request: consoleRequestOf(c),
      // Read once the console accepted the request: a stranger is told 401 whatever they sent.
      input: async () => {
        const type = c.req.header('content-type')?.toLowerCase() ?? ''
        if (!type.startsWith('multipart/form-data')) {
          throw new ApiError(
            'UNSUPPORTED_MEDIA_TYPE',
            '请以表单（multipart/form-data）上传名单文件，字段名为 file。',
          )
        }
        let form: FormData
        try {
          form = await c.req.formData()
        } catch {
          throw new ApiError('BAD_REQUEST', '上传的表单无法解析，请刷新页面后重新上传。')
        }
        return readUpload(form)
      },
    })
    if (!outcome.ok) {
      const rows = new Set(outcome.problems.map((p) => p.row)).size
      throw new ApiError(
        'VALIDATION_FAILED',
        `名单有 ${outcome.problems.length} 处错误（涉及 ${rows} 行），没有写入任何数据。请按 details 逐条改正后重新上传。`,
        outcome.problems,
      )
    }
    const { added, changed, unchanged, committed } = outcome.result
    return c.json(
      {
        dryRun: outcome.dryRun,
        rowCount: outcome.rowCount,
        added,
        changed,
        unchanged: unchanged.length,
        committed,
        ignoredColumns: outcome.ignoredColumns,
        demoDataPresent: outcome.demoDataPresent,
      },
      200,
    )
  })
}
