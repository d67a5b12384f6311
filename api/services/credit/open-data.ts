import { allEnterprises } from '../../../db/queries/enterprises.ts'
import { usccsWithCreditRecord } from '../../../db/queries/credit-grades.ts'
import { allMarketEntities } from '../../../db/queries/market-entities.ts'
import { csvCell } from '../../domain/csv.ts'
import type { ServiceContext } from '../../deps.ts'
import { publicRecordsOf, type PublicRecord } from './public-record.ts'

/** The open data's columns, in the order the file lists them. */
const creditCsvHeader = [
  '统一社会信用代码',
  '名称',
  '区县',
  '认定状态',
  '记录类别',
  '日期',
  '事项',
  '结果',
  '处理或依据',
  '更正',
] as const

type Row = Record<(typeof creditCsvHeader)[number], string>

const correctionText = (c: { note: string; correctedOn: string } | null) =>
  c ? `${c.correctedOn} 更正：${c.note}` : ''

/** One row per public item of the record; a business with nothing public gives no row. */
function recordRows(r: PublicRecord): Row[] {
  const base = {
    统一社会信用代码: r.uscc,
    名称: r.name,
    区县: r.countyName,
    认定状态: r.certification ? r.certification.statusLabel : '未认定',
  }
  const rows: Row[] = []
  if (r.grade) {
    rows.push({
      ...base,
      记录类别: '信用等级',
      日期: r.grade.computedAt.slice(0, 10),
      事项: `${r.grade.grade} 级（${r.grade.label}）`,
      结果: r.grade.reasons.join('；'),
      处理或依据: `评定规则 ${r.grade.ruleVersion}`,
      更正: '',
    })
  }
  if (r.commitment) {
    rows.push({
      ...base,
      记录类别: '自我承诺',
      日期: r.commitment.signedOn,
      事项: `诚信计量自我承诺（文本 ${r.commitment.textVersion}）`,
      结果: '已承诺',
      处理或依据: `签署人：${r.commitment.signerRole}`,
      更正: '',
    })
  }
  for (const v of r.inspections) {
    rows.push({
      ...base,
      记录类别: '监督检查',
      日期: v.visitedOn,
      事项: `${v.campaignTitle}（${v.kindLabel}）`,
      结果: `${v.resultLabel}；检查 ${v.instrumentsChecked} 台，不合格 ${v.instrumentsFailed} 台`,
      处理或依据: [
        v.findings,
        v.rectificationDue && `责令整改，期限 ${v.rectificationDue}`,
        v.followUp && `${v.followUp.on} 复查：${v.followUp.resultLabel}`,
      ]
        .filter(Boolean)
        .join('；'),
      更正: correctionText(v.correction),
    })
  }
  for (const c of r.cases) {
    rows.push({
      ...base,
      记录类别: '投诉举报查实',
      日期: c.closedOn,
      事项: c.categoryLabel,
      结果: c.findingLabel,
      处理或依据: c.followUpLabel,
      更正: correctionText(c.correction),
    })
  }
  for (const p of r.penalties) {
    rows.push({
      ...base,
      记录类别: '行政处罚',
      日期: p.decidedOn,
      事项: p.violation,
      结果: p.penalty,
      处理或依据: `${p.decisionNo}；${p.legalBasis}；公示至 ${p.publishedUntil}`,
      更正: correctionText(p.correction),
    })
  }
  return rows
}

/**
 * The open data of every business's public credit record (/data/credit-records.csv): UTF-8 with a
 * BOM (so Excel and WPS on Chinese Windows read it as UTF-8), one row per public item, only what
 * the record's pages show: never a resident's name, phone, words or photos.
 */
export async function creditRecordsCsv({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { today: string }
}): Promise<string> {
  const withRecord = await usccsWithCreditRecord(ctx.db)
  const lines = [creditCsvHeader.join(',')]
  const add = async (businesses: Parameters<typeof publicRecordsOf>[0]['input']['businesses']) => {
    const records = await publicRecordsOf({
      ctx,
      input: {
        businesses: businesses.filter((b) => withRecord.has(b.uscc)),
        withRecord,
        today: input.today,
      },
    })
    for (const record of records) {
      for (const row of recordRows(record)) {
        lines.push(creditCsvHeader.map((h) => csvCell(row[h])).join(','))
      }
    }
  }
  for await (const batch of allEnterprises(ctx.db, 2_000)) await add(batch)
  for await (const batch of allMarketEntities(ctx.db, 2_000)) await add(batch)
  return `\uFEFF${lines.join('\r\n')}\r\n`
}
