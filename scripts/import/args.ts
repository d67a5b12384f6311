export const usage = `用法：npm run import:enterprises -- 文件 [--dry-run]

  文件        诚信计量单位名单：.xlsx（读取第一个工作表）或 CSV
              （UTF-8，或 Excel 中文版“CSV（逗号分隔）”保存的 GB18030 编码）
              表头：统一社会信用代码、企业名称、区县、行业、地址、认定日期、有效期至、状态
              （可选：状态变更日期、变更原因；英文表头 uscc、name、county、sector、address、
              certified_at、valid_until、status、status_since、reason 也可以）
  --dry-run   只检查名单并报告将新增、变更、不变的企业，不写入数据库

示例：npm run import:enterprises -- content/samples/enterprises-sample.csv --dry-run`

export type ImportArgs =
  | { kind: 'run'; file: string; dryRun: boolean }
  | { kind: 'help' }
  | { kind: 'wrong'; message: string }

/** Reads `FILE [--dry-run]`; anything else is a usage error with a message saying what. */
export function parseImportArgs(argv: readonly string[]): ImportArgs {
  const files: string[] = []
  let dryRun = false
  for (const arg of argv) {
    if (arg === '--') continue
    if (arg === '-h' || arg === '--help') return { kind: 'help' }
    if (arg === '--dry-run') dryRun = true
    else if (arg.startsWith('-')) return { kind: 'wrong', message: `不认识的选项：${arg}` }
    else files.push(arg)
  }
  if (files.length === 0) return { kind: 'wrong', message: '缺少名单文件。' }
  if (files.length > 1) {
    return {
      kind: 'wrong',
      message: `一次只能导入一个文件，收到了 ${files.length} 个：${files.join('、')}`,
    }
  }
  return { kind: 'run', file: files[0]!, dryRun }
}
