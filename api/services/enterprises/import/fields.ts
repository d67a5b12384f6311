import type { CertificationStatus } from '../../../../db/database.ts'
import { usccProblem } from '../../../domain/uscc.ts'
import type { FieldResult, ReferenceData } from './types.ts'
import { statusLabels } from '../../../domain/certification.ts'

const fail = (reason: string) => ({ ok: false, reason }) as const
/** Characters as PostgreSQL's length() counts them (code points, not UTF-16 units). */
export const charCount = (text: string) => Array.from(text).length

export function readUscc(text: string): FieldResult<string> {
  // Full-width letters and stray spaces come from copying out of Word or a web page.
  const code = text.normalize('NFKC').replace(/\s+/g, '').toUpperCase()
  if (code === '') return fail('必填：请填写 18 位统一社会信用代码')
  if (/^\d(\.\d+)?E\+\d+$/.test(code)) {
    return fail('被 Excel 当成了数字（科学计数法），代码已损坏。请把该列设为“文本”格式后重新输入')
  }
  const problem = usccProblem(code)
  if (!problem) return { ok: true, value: code }
  const hint =
    problem.rule === 'check'
      ? '。校验位不符通常是前 17 位中有录入错误，请对照营业执照核对'
      : '。请对照营业执照核对'
  return fail(`${problem.message}${hint}`)
}

export function readText(text: string, label: string, max: number): FieldResult<string> {
  const value = text.trim()
  if (value === '') return fail(`必填：请填写${label}`)
  if (charCount(value) > max) {
    return fail(`${label}过长：${charCount(value)} 个字，最多 ${max} 个字，请删减`)
  }
  return { ok: true, value }
}

/** Matches a county or sector by its Chinese name or its code. */
function codeLookup(
  entries: ReadonlyArray<{ code: string; name: string }>,
  extraNames: (name: string) => string[] = () => [],
) {
  const byKey = new Map<string, string>()
  for (const { code, name } of entries) {
    byKey.set(code.toLowerCase(), code)
    for (const key of [name, ...extraNames(name)]) byKey.set(key, code)
  }
  return (text: string) => byKey.get(text.normalize('NFKC').replace(/\s+/g, '').toLowerCase())
}

export function countyReader(reference: ReferenceData) {
  // "丽水市莲都区" is how an address-minded clerk often writes the county.
  const find = codeLookup(reference.counties, (name) => [`丽水市${name}`])
  const names = reference.counties.map((c) => c.name).join('、')
  return (text: string): FieldResult<string> => {
    if (text.trim() === '') return fail(`必填：请填写区县名称（${names}）或 6 位区划代码`)
    const code = find(text)
    if (code) return { ok: true, value: code }
    return fail(`不是丽水市的区县。请填写区县名称（${names}）或 6 位区划代码（如 331102）`)
  }
}

export function sectorReader(reference: ReferenceData) {
  const find = codeLookup(reference.sectors)
  const names = reference.sectors.map((s) => s.name).join('、')
  return (text: string): FieldResult<string> => {
    if (text.trim() === '') return fail(`必填：请填写行业（${names}）`)
    const code = find(text)
    if (code) return { ok: true, value: code }
    return fail(`未知行业。请填写以下之一：${names}（或对应的英文代码，如 fuel_station）`)
  }
}

/** 认定状态 as the bureau's list writes it: the same words the site shows. */
export const statusNames = statusLabels

const statuses = new Map<string, CertificationStatus>(
  Object.entries(statusNames).flatMap(([status, name]) => [
    [name, status as CertificationStatus],
    [status, status as CertificationStatus],
  ]),
)

export function readStatus(text: string): FieldResult<CertificationStatus> {
  const key = text.normalize('NFKC').trim().toLowerCase()
  if (key === '') return fail('必填：请填写状态（有效、暂停、撤销 或 过期）')
  const status = statuses.get(key)
  if (status) return { ok: true, value: status }
  return fail('状态只能是 有效、暂停、撤销 或 过期（或 active、suspended、revoked、expired）')
}
