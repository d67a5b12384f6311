import type { ServiceContext } from '../../../deps.ts'
import { listUploadMessage } from '../../../body-limits.ts'
import { ApiError } from '../../../errors.ts'
import { beijingDate } from '../../../domain/beijing-time.ts'
import {
  importEnterpriseList,
  ListFileError,
  readEnterpriseListBytes,
  type ImportOutcome,
} from '../../enterprises/import-file.ts'
import type { SignedInOperator } from '../access.ts'
import { recordAudit } from '../audit.ts'

/**
 * The largest upload is the API's body limit (BODY_LIMIT_BYTES, 1 MiB unless configured): the
 * bureau's list of about 1,500 businesses is some 300 KB as CSV and less as .xlsx, and 1 MiB holds
 * about 5,000 rows. A bigger list needs a bigger limit, set by the operator, not a special case.
 */
export interface UploadedList {
  operator: SignedInOperator
  /** The name the browser gave; only its last part is kept, as the history's source. */
  fileName: string
  bytes: Uint8Array
  /** Compare and report only, writing nothing. */
  dryRun: boolean
  clientAddress: string
}

/** A browser's file name without any folder, short enough for a history entry. */
const baseName = (name: string) => {
  const last = name.split(/[/\\]/).pop()?.trim() ?? ''
  return (last === '' ? '上传的名单' : last).slice(0, 100)
}

/**
 * Imports a list uploaded in the console exactly as `npm run import:enterprises` imports a file:
 * the same reader (UTF-8 or Excel's GB18030 CSV, or .xlsx), the same whole-list check, the same
 * one-transaction apply. City administrators only. A list with wrong rows writes nothing and
 * answers every problem; an import that wrote is recorded in the audit log.
 */
export async function importUploadedList({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: UploadedList
}): Promise<ImportOutcome> {
  const limit = ctx.config.BODY_LIMIT_BYTES
  if (input.bytes.length > limit) {
    throw new ApiError('PAYLOAD_TOO_LARGE', listUploadMessage(limit))
  }
  const fileName = baseName(input.fileName)
  let table
  try {
    table = await readEnterpriseListBytes(input.bytes)
  } catch (error) {
    if (error instanceof ListFileError) throw new ApiError('BAD_REQUEST', error.message)
    throw error
  }
  const outcome = await importEnterpriseList({
    ctx,
    input: { table, fileName, today: beijingDate(), dryRun: input.dryRun },
  })
  if (outcome.ok && !outcome.dryRun) {
    // After the import's own transaction: the history already names the file, and an audit
    // entry lost to a crash in between would hide nothing that the history does not show.
    const { added, changed, unchanged } = outcome.result
    await recordAudit(ctx.db, {
      operator: input.operator,
      action: 'enterprise.imported',
      clientAddress: input.clientAddress,
      detail: {
        file: fileName,
        rows: outcome.rowCount,
        added: added.length,
        changed: changed.length,
        unchanged: unchanged.length,
        committed: outcome.result.committed.length,
      },
    })
  }
  return outcome
}
