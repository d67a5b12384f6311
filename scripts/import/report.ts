import type { ImportOutcome, ImportProblem } from '../../api/services/enterprises/import-file.ts'
import { statusNames } from '../../api/services/enterprises/import/fields.ts'
import type { ComparedField, EnterpriseChange } from '../../api/services/enterprises/import/plan.ts'

const fieldNames: Record<ComparedField, string> = {
  name: '企业名称',
  countyCode: '区县',
  sectorCode: '行业',
  address: '地址',
  certifiedAt: '认定日期',
  validUntil: '有效期至',
  status: '状态',
}

/** Every problem on a line of its own: 第 N 行 · 列名 · 值 · 原因. */
export function problemLines(problems: readonly ImportProblem[]): string[] {
  const rows = new Set(problems.map((p) => p.row)).size
  return [
    `名单有 ${problems.length} 处错误（涉及 ${rows} 行），没有写入任何数据。请改正后重新导入：`,
    '',
    ...problems.map(
      (p) => `第 ${p.row} 行 · ${p.column} · ${p.value === '' ? '（空）' : p.value} · ${p.reason}`,
    ),
  ]
}

function describeChange(change: EnterpriseChange): string {
  const parts = change.fields.map((f) =>
    f === 'status'
      ? `状态 ${statusNames[change.statusFrom]}→${statusNames[change.statusTo]}`
      : fieldNames[f],
  )
  return `${change.uscc}（${parts.join('、')}）`
}

/** The summary of a successful import or dry run, listing at most `limit` changed businesses. */
export function outcomeLines(
  outcome: Extract<ImportOutcome, { ok: true }>,
  fileName: string,
  limit = 20,
): string[] {
  const { added, changed, unchanged, changes } = outcome.result
  const will = outcome.dryRun ? '将' : ''
  const lines = [
    outcome.dryRun
      ? `试运行（--dry-run）：${fileName} 共 ${outcome.rowCount} 行，全部通过检查；没有写入任何数据。若正式导入：`
      : `已导入 ${fileName}：共 ${outcome.rowCount} 行，全部通过检查。`,
    `  ${will}新增 ${added.length} 家`,
    `  ${will}变更 ${changed.length} 家`,
    ...changes.slice(0, limit).map((c) => `    ${describeChange(c)}`),
    ...(changes.length > limit ? [`    ……另有 ${changes.length - limit} 家未列出`] : []),
    `  不变 ${unchanged.length} 家`,
    `  ${will}记录新的自我承诺 ${outcome.result.committed.length} 家`,
  ]
  if (outcome.ignoredColumns.length > 0) {
    lines.push(`已忽略不认识的列：${outcome.ignoredColumns.join('、')}`)
  }
  if (outcome.dryRun) {
    lines.push('确认无误后，去掉 --dry-run 再运行一次即可正式导入。')
  } else if (added.length + changed.length + outcome.result.committed.length === 0) {
    lines.push('数据库已与名单一致，没有任何改动。')
  } else {
    lines.push(
      '搜索索引会经由发件箱（outbox）自动更新：npm start 中的后台任务会投递这些变更（若现在没有运行，下次 npm start 时投递）。',
      '静态页面由运行中的 npm start 在后台自动重新生成（通常半分钟内）；若现在没有运行，下次 npm start 时生成。',
    )
  }
  if (outcome.demoDataPresent) {
    lines.push(
      '注意：数据库中仍有演示数据（npm start 在空的内置数据库中自动载入的示例企业），会和正式名单一同公开显示。正式使用前请换用不含演示数据的数据库（设置 DATABASE_URL，或设置 DEMO_DATA=never 并使用新的 DATA_DIR）。',
    )
  }
  return lines
}
