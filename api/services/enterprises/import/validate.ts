import { isSignerRole, signerRoles } from '../../../domain/commitments.ts'
import type { CommitmentFacts, EnterpriseRecord } from './plan.ts'
import { columnName, listColumns, locateColumns, type ListField } from './columns.ts'
import { parseListDate } from './dates.ts'
import { charCount, countyReader, readStatus, readText, readUscc, sectorReader } from './fields.ts'
import type { FieldResult, ImportProblem, ListTable, ReferenceData } from './types.ts'

export interface CheckedList {
  /** The records to write; meaningful only when there are no problems. */
  records: EnterpriseRecord[]
  problems: ImportProblem[]
  /** Data rows in the file, blank rows not counted. */
  rowCount: number
  /** Header texts that name no known column; their cells were not read. */
  ignoredColumns: string[]
}

/** Database limits (see the directory migration): longer text would fail the CHECK constraints. */
const limits = { name: 200, address: 500, reason: 1000 }

const shown = (value: string) => (value.length > 60 ? `${value.slice(0, 60)}…` : value)

/** The three commitment columns, given together or not at all. */
const commitmentFields = ['commitmentVersion', 'commitmentSignedOn', 'signerRole'] as const

/**
 * Checks a whole list before anything is written and says, for every wrong cell, the row and
 * column a clerk sees and how to put it right. Pure: the reference data (counties, sectors,
 * today) comes from the caller.
 */
export function checkEnterpriseList(
  table: ListTable,
  reference: ReferenceData,
  onProgress?: (done: number, total: number) => void,
): CheckedList {
  const { layout, problems } = locateColumns(table.rows)
  const dataRows = table.rows.filter(
    (r) => r.number > layout.headerRow && r.cells.some((c) => c.trim() !== ''),
  )
  const result: CheckedList = {
    records: [],
    problems,
    rowCount: dataRows.length,
    ignoredColumns: layout.ignored,
  }
  if (problems.length > 0) return result
  if (dataRows.length === 0) {
    problems.push({
      row: layout.headerRow,
      column: '表头',
      value: '',
      reason: '表头下面没有任何数据行。请确认选对了文件（只读取第一个工作表）',
    })
    return result
  }

  const readCounty = countyReader(reference)
  const readSector = sectorReader(reference)
  const firstRowOf = new Map<string, number>()

  dataRows.forEach((row, i) => {
    const raw = (field: ListField) => {
      const index = layout.index[field]
      return index === undefined ? '' : (row.cells[index] ?? '').trim()
    }
    const rowProblems: ImportProblem[] = []
    const report = (field: ListField, reason: string) =>
      rowProblems.push({
        row: row.number,
        column: layout.label[field] ?? listColumns[field].header,
        value: shown(raw(field)),
        reason,
      })
    function read<T>(field: ListField, check: (text: string) => FieldResult<T>): T | undefined {
      const outcome = check(raw(field))
      if (outcome.ok) return outcome.value
      report(field, outcome.reason)
      return undefined
    }
    /**
     * 经营者自我承诺: the three columns are optional, but a row giving one must give all three (a
     * commitment without its text, day or signer cannot be shown), naming a published text.
     */
    function readCommitment(): CommitmentFacts | undefined {
      const given = commitmentFields.filter((f) => raw(f) !== '')
      if (given.length === 0) return undefined
      if (given.length < commitmentFields.length) {
        const names = commitmentFields.map((f) => `“${listColumns[f].header}”`).join('、')
        for (const field of commitmentFields.filter((f) => raw(f) === '')) {
          report(
            field,
            `缺少“${listColumns[field].header}”：记录自我承诺时，${names}三列都要填写；没有签署承诺的单位三列都留空`,
          )
        }
        return undefined
      }
      const versions = reference.commitmentVersions ?? []
      const textVersion = raw('commitmentVersion').normalize('NFKC').toLowerCase()
      if (!versions.includes(textVersion)) {
        report(
          'commitmentVersion',
          versions.length > 0
            ? `没有这个承诺书版本。已发布的版本：${versions.join('、')}`
            : '没有这个承诺书版本：尚未发布任何承诺书',
        )
      }
      const signedOn = read('commitmentSignedOn', parseListDate)
      if (signedOn && signedOn > reference.today) {
        report('commitmentSignedOn', `承诺日期 ${signedOn} 晚于今天（${reference.today}），请核对`)
      }
      const signerRole = raw('signerRole').normalize('NFKC').replace(/\s+/g, '')
      if (!isSignerRole(signerRole)) {
        report(
          'signerRole',
          `签署人职务只能填写：${signerRoles.join('、')}（填职务，不填姓名或身份证号）`,
        )
      }
      if (!signedOn || !versions.includes(textVersion) || !isSignerRole(signerRole))
        return undefined
      return { textVersion, signedOn, signerRole }
    }
    const readDate = (field: ListField, optional: boolean) =>
      optional && raw(field) === ''
        ? undefined
        : read(field, (text): FieldResult<string> =>
            text === '' ? { ok: false, reason: '必填：请填写日期' } : parseListDate(text),
          )

    const uscc = read('uscc', readUscc)
    const name = read('name', (t) => readText(t, '企业名称', limits.name))
    const countyCode = read('county', readCounty)
    const sectorCode = read('sector', readSector)
    const address = read('address', (t) => readText(t, '地址', limits.address))
    const certifiedAt = readDate('certifiedAt', false)
    const validUntil = readDate('validUntil', false)
    const status = read('status', readStatus)
    const statusSince = readDate('statusSince', true)
    const reasonText = raw('reason')
    if (charCount(reasonText) > limits.reason) {
      report('reason', `变更原因过长：最多 ${limits.reason} 个字，请删减`)
    }

    if (certifiedAt && certifiedAt > reference.today) {
      report('certifiedAt', `认定日期 ${certifiedAt} 晚于今天（${reference.today}），请核对`)
    }
    if (certifiedAt && validUntil && validUntil < certifiedAt) {
      report('validUntil', `有效期至 ${validUntil} 早于认定日期 ${certifiedAt}，请核对`)
    } else if (validUntil && status === 'active' && validUntil < reference.today) {
      // Stored as active, the hourly expiry sweep would flip it to expired and the next import of
      // the same list back again; the list has to say what is true today.
      report(
        'validUntil',
        `状态为“有效”，但有效期已于 ${validUntil} 届满。请改为“过期”，或填写续期后的有效期`,
      )
    }
    if (statusSince && certifiedAt && statusSince < certifiedAt) {
      report('statusSince', `状态变更日期 ${statusSince} 早于认定日期 ${certifiedAt}，请核对`)
    }
    if (statusSince && statusSince > reference.today) {
      report('statusSince', `状态变更日期 ${statusSince} 晚于今天（${reference.today}），请核对`)
    }
    const commitment = readCommitment()

    row.cells.slice(layout.width).forEach((text, offset) => {
      if (text.trim() === '') return
      rowProblems.push({
        row: row.number,
        column: `${columnName(layout.width + offset)}（无表头）`,
        value: shown(text.trim()),
        reason:
          '这一格在表头范围之外。若是地址等内容里的英文逗号把单元格拆开了，请给该单元格加上双引号或改用中文逗号；若是备注，请删除或给这一列加上表头',
      })
    })

    if (uscc) {
      const first = firstRowOf.get(uscc)
      if (first === undefined) firstRowOf.set(uscc, row.number)
      else {
        report(
          'uscc',
          `第 ${first} 行已有同一个统一社会信用代码。同一企业只能出现一次，请合并这两行或删去其中一行`,
        )
      }
    }

    if (rowProblems.length > 0) problems.push(...rowProblems)
    else if (
      uscc &&
      name &&
      countyCode &&
      sectorCode &&
      address &&
      certifiedAt &&
      validUntil &&
      status
    ) {
      result.records.push({
        uscc,
        name,
        countyCode,
        sectorCode,
        address,
        certifiedAt,
        validUntil,
        status,
        statusSince,
        reason: reasonText === '' ? undefined : reasonText,
        ...(commitment ? { commitment } : {}),
      })
    }
    if ((i + 1) % 500 === 0) onProgress?.(i + 1, dataRows.length)
  })
  onProgress?.(dataRows.length, dataRows.length)
  return result
}
