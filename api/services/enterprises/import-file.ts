import path from 'node:path'
import { hasDemoData, listCounties, listSectors } from '../../../db/queries/enterprises.ts'
import type { ServiceContext } from '../../deps.ts'
import { applyEnterpriseRecords, previewEnterpriseRecords } from './apply.ts'
import { readEnterpriseList } from './import/read-file.ts'
import type { ImportProblem, ListTable } from './import/types.ts'
import { checkEnterpriseList } from './import/validate.ts'
import type { ApplyResult } from './import/plan.ts'

export { ListFileError } from './import/file-error.ts'
export { readEnterpriseList, readEnterpriseListBytes } from './import/read-file.ts'
export type { ImportProblem, ListTable } from './import/types.ts'

interface ImportProgress {
  phase: 'check' | 'write'
  done: number
  total: number
}

interface Shared {
  /** Data rows in the file, blank rows not counted. */
  rowCount: number
  /** Headers that name no known column; their cells were not read. */
  ignoredColumns: string[]
}

export type ImportOutcome =
  | (Shared & { ok: false; problems: ImportProblem[] })
  | (Shared & {
      ok: true
      dryRun: boolean
      result: ApplyResult
      /** The database still holds the generated demo list next to the real one. */
      demoDataPresent: boolean
    })

interface ImportInput {
  /** Only the base name is kept, as the history's source: `import:<name>`. */
  fileName: string
  today: string
  /** Compare with the database and report, writing nothing. */
  dryRun: boolean
  onProgress?: (progress: ImportProgress) => void
}

/**
 * Imports the bureau's list of certified businesses. The whole list is checked against the
 * counties and sectors the database knows before anything is written; if any row is wrong the
 * outcome lists every problem and nothing is written. Otherwise it is applied in one transaction
 * (or, for a dry run, only compared).
 */
export async function importEnterpriseList({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: ImportInput & { table: ListTable }
}): Promise<ImportOutcome> {
  const [counties, sectors] = await Promise.all([listCounties(ctx.db), listSectors(ctx.db)])
  const { commitmentVersions } = ctx
  const { onProgress } = input
  const checked = checkEnterpriseList(
    input.table,
    { counties, sectors, today: input.today, commitmentVersions },
    onProgress && ((done, total) => onProgress({ phase: 'check', done, total })),
  )
  const shared = { rowCount: checked.rowCount, ignoredColumns: checked.ignoredColumns }
  if (checked.problems.length > 0) return { ...shared, ok: false, problems: checked.problems }

  const apply = {
    records: checked.records,
    source: `import:${path.basename(input.fileName)}`,
    today: input.today,
  }
  const result = input.dryRun
    ? await previewEnterpriseRecords({ ctx, input: apply })
    : await applyEnterpriseRecords({
        ctx,
        input: {
          ...apply,
          ...(onProgress && {
            onProgress: (done: number, total: number) =>
              onProgress({ phase: 'write', done, total }),
          }),
        },
      })
  const demoDataPresent = await hasDemoData(ctx.db)
  return { ...shared, ok: true, dryRun: input.dryRun, result, demoDataPresent }
}

/** importEnterpriseList for a file on disk; throws ListFileError when it cannot be read. */
export async function importEnterpriseFile({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: Omit<ImportInput, 'fileName'> & { file: string }
}): Promise<ImportOutcome> {
  const table = await readEnterpriseList(input.file)
  return importEnterpriseList({ ctx, input: { ...input, fileName: input.file, table } })
}
