import type { FieldResult } from './types.ts'

const forms = [
  /^(\d{4})-(\d{1,2})-(\d{1,2})$/,
  /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/,
  /^(\d{4})\.(\d{1,2})\.(\d{1,2})$/,
  /^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?$/,
]

const formatHint = '请写成 2024-05-20、2024/5/20 或 2024年5月20日'

const daysInMonth = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate()

/** A date as a clerk writes it, read as 'YYYY-MM-DD', or why it cannot be read. */
export function parseListDate(text: string): FieldResult<string> {
  const value = text.normalize('NFKC').trim()
  if (/^\d{5}(\.\d+)?$/.test(value)) {
    return {
      ok: false,
      reason: `这是 Excel 的日期序号，不是日期。请把单元格格式设为“日期”，或${formatHint}`,
    }
  }
  const match = forms.map((f) => f.exec(value)).find((m) => m !== null)
  if (!match) return { ok: false, reason: `日期格式无法识别，${formatHint}` }
  const [year, month, day] = [match[1], match[2], match[3]].map(Number) as [number, number, number]
  if (month < 1 || month > 12) {
    return { ok: false, reason: `月份 ${month} 不存在，请核对（应为 1–12）` }
  }
  const last = daysInMonth(year, month)
  if (day < 1 || day > last) {
    return {
      ok: false,
      reason: `日期不存在：${year} 年 ${month} 月只有 ${last} 天，请核对`,
    }
  }
  const pad = (n: number) => String(n).padStart(2, '0')
  return { ok: true, value: `${year}-${pad(month)}-${pad(day)}` }
}
