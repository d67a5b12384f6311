import { z } from '@hono/zod-openapi'
import {
  caseFindings,
  caseFollowUps,
  correctionEffects,
  followUpResults,
  inspectionKinds,
  penaltyKinds,
  visitResults,
} from '../../domain/credit.ts'
import { complaintCategories } from '../../domain/complaints.ts'
import { gradeSchema, statusSchema } from '../enterprises/schemas.ts'

const day = (description: string) =>
  z.string().openapi({ description: `${description}（YYYY-MM-DD，北京时间）` })

const correctionSchema = z
  .object({
    effect: z.enum(correctionEffects).openapi({
      description: 'struck 经核实撤销（不再计入信用等级），amended 经核实更正',
    }),
    note: z.string().openapi({ description: '更正说明' }),
    correctedOn: day('更正日期'),
  })
  .nullable()
  .openapi('RecordCorrection', { description: '异议成立后的更正；没有更正时为 null' })

export const publicRecordSchema = z
  .object({
    uscc: z.string().openapi({ description: '统一社会信用代码', example: '91331102MA2E0000X1' }),
    name: z.string().openapi({ description: '名称' }),
    county: z.string().openapi({ description: '区县代码（GB/T 2260）' }),
    countyName: z.string(),
    sector: z.string().openapi({ description: '行业代码' }),
    sectorName: z.string(),
    address: z.string(),
    certification: z
      .object({
        status: statusSchema,
        statusLabel: z.string().openapi({ description: '认定状态：有效、暂停、撤销、过期' }),
        statusSince: day('当前状态起始日'),
        certifiedAt: day('认定日期'),
        validUntil: day('有效期至'),
      })
      .nullable()
      .openapi({ description: '诚信计量认定；null 表示未认定诚信计量单位（市场主体）' }),
    grade: z
      .object({
        grade: gradeSchema,
        label: z.string().openapi({ description: '等级含义，如“信用风险低”' }),
        reasons: z.array(z.string()).openapi({ description: '评定理由（中文），最重要的在前' }),
        ruleVersion: z.string().openapi({ description: '评定规则版本' }),
        nextAgeOut: day('下一条记录期满、不再计入等级的日期（信用修复）').nullable(),
        nextAgeOutNote: z.string().nullable().openapi({
          description: '同上，写成一句话，如“2027 年 3 月 1 日起，2025 年 3 月的行政处罚不再计入”',
        }),
        computedAt: z.string().openapi({ description: '评定时间（ISO 8601）' }),
      })
      .nullable()
      .openapi({ description: '信用等级；null 表示暂无信用等级（按一般风险管理）' }),
    commitment: z
      .object({
        textVersion: z
          .string()
          .openapi({ description: '承诺书文本版本，全文见 /commitments/{版本}' }),
        signedOn: day('签署日期'),
        signerRole: z.string().openapi({ description: '签署人职务（不含姓名、证件号）' }),
      })
      .nullable()
      .openapi({ description: '经营者自我承诺；null 表示尚未承诺' }),
    inspections: z.array(
      z
        .object({
          campaignId: z.string(),
          campaignTitle: z.string().openapi({ description: '专项检查名称' }),
          kind: z.enum(inspectionKinds),
          kindLabel: z.string().openapi({ description: '检查类别，如“加油机”' }),
          visitedOn: day('检查日期'),
          result: z.enum(visitResults),
          resultLabel: z.string().openapi({ description: '合格或不合格' }),
          instrumentsChecked: z.number().int().openapi({ description: '检查的计量器具台数' }),
          instrumentsFailed: z.number().int().openapi({ description: '其中不合格台数' }),
          findings: z.string().openapi({ description: '检查发现' }),
          rectificationDue: day('责令整改期限').nullable(),
          followUp: z
            .object({
              on: day('复查日期'),
              result: z.enum(followUpResults),
              resultLabel: z.string(),
            })
            .nullable(),
          correction: correctionSchema,
        })
        .openapi('RecordInspection'),
    ),
    cases: z.array(
      z
        .object({
          closedOn: day('办结日期'),
          category: z.enum(complaintCategories),
          categoryLabel: z.string().openapi({ description: '投诉举报类别，如“缺斤短两”' }),
          finding: z.enum(caseFindings),
          findingLabel: z.string().openapi({ description: '查实或部分查实' }),
          followUp: z.enum(caseFollowUps),
          followUpLabel: z.string().openapi({ description: '后续处理，如“责令改正”' }),
          correction: correctionSchema,
        })
        .openapi('RecordCase', {
          description: '已办结并查实（或部分查实）的投诉举报；不含投诉人的任何信息',
        }),
    ),
    penalties: z.array(
      z
        .object({
          decisionNo: z.string().openapi({ description: '行政处罚决定书文号' }),
          decidedOn: day('处罚决定日期'),
          kind: z.enum(penaltyKinds),
          kindLabel: z.string(),
          violation: z.string().openapi({ description: '违法行为' }),
          penalty: z.string().openapi({ description: '处罚内容' }),
          legalBasis: z.string().openapi({ description: '处罚依据' }),
          publishedUntil: day('公示截止日期'),
          correction: correctionSchema,
        })
        .openapi('RecordPenalty'),
    ),
    isDemo: z.boolean().openapi({ description: '演示数据' }),
    asOf: day('记录截至日期'),
  })
  .openapi('CreditRecord', { description: '市场主体计量信用记录（公开部分）' })

export type PublicRecord = z.infer<typeof publicRecordSchema>
