import { ApiError } from '../../../api/errors.ts'
import {
  searchAuditInConsole,
  type AuditEntryView,
} from '../../../api/services/admin/audit-search.ts'
import { serviceContext } from '../services.ts'
import { fieldProblemsOf, type FieldProblem } from '../../../api/validation.ts'
import { filterHref } from './auth-form.ts'
import type { ConsoleRequest } from './session.ts'

/** The actions the filter offers, with what they mean; families end in `.*`. */
export const auditActionLabels: Record<string, string> = {
  'auth.*': '登录相关（全部）',
  'auth.sign_in': '登录',
  'auth.sign_in_failed': '登录失败',
  'auth.locked': '账号锁定',
  'auth.sign_out': '退出',
  'auth.password_changed': '修改密码',
  'auth.totp_enabled': '启用动态验证码',
  'operator.*': '账号管理（全部）',
  'operator.created': '创建账号',
  'operator.reset_password': '重置账号密码',
  'operator.disable': '停用账号',
  'operator.enable': '启用账号',
  'operator.unlock': '解除账号锁定',
  'operator.reset_totp': '重置动态验证码',
  'operator.change_scope': '调整角色和区县',
  'case.*': '案件相关（全部）',
  'case.viewed': '查看案件',
  'case.pii_revealed': '查看个人信息',
  'case.photo_viewed': '查看照片',
  'case.personal_data_erased': '到期删除个人信息',
  'case.erase_personal_data': '应本人申请删除个人信息',
  'case.hold_erasure': '暂缓删除个人信息',
  'case.lift_erasure_hold': '解除暂缓删除',
  'enterprise.*': '企业变更（全部）',
  'visit.*': '专项检查记录（全部）',
  'visit.recorded': '填写检查记录',
  'visit.followed_up': '填写复查结果',
  'visit.corrected': '修改已公开的检查记录',
  'visit.photos_added': '上传检查照片',
  'visit.photo_viewed': '查看检查照片',
  // Commitments, objections and corrections (api/services/admin/records/).
  'credit.commitment_recorded': '记录自我承诺',
  'credit.commitment_withdrawn': '撤回自我承诺',
  'credit.objection_recorded': '登记信用记录异议',
  'credit.objection_upheld': '异议成立，更正信用记录',
  'credit.objection_rejected': '异议不成立',
  'campaign.*': '专项检查（全部）',
  'campaign.created': '创建专项检查',
  'campaign.drawn': '双随机抽取',
  'campaign.published': '公示检查结果',
  'campaign.recusal_recorded': '登记回避',
  'campaign.recusal_withdrawn': '撤回回避',
  'penalty.*': '行政处罚（全部）',
  'penalty.created': '录入行政处罚',
  'penalty.edited': '修改行政处罚',
  'penalty.taken_down': '行政处罚公示期满撤下',
}

export const actionLabel = (action: string) => auditActionLabels[action] ?? action

const filterNames = ['operator', 'action', 'complaintId', 'from', 'to'] as const
type AuditFilterValues = Record<(typeof filterNames)[number], string>

export interface AuditPage {
  status: number
  /** The filters as typed, to fill the form again. */
  values: AuditFilterValues
  problems: FieldProblem[]
  result?: { items: AuditEntryView[]; total: number; page: number; lastPage: number }
  /** The address of another page with the same filters. */
  pageHref: (page: number) => string
}

/** The audit page's GET: filters from the address, checked by the same verb as the API's. */
export async function loadAuditPage(url: URL, request: ConsoleRequest): Promise<AuditPage> {
  const values = Object.fromEntries(
    filterNames.map((name) => [name, (url.searchParams.get(name) ?? '').slice(0, 100)]),
  ) as AuditFilterValues
  const pageHref = (page: number) => filterHref('/admin/audit', values, page)
  try {
    const found = await searchAuditInConsole({
      ctx: serviceContext(),
      request,
      input: { ...values, page: url.searchParams.get('page') ?? undefined },
    })
    const lastPage = Math.max(1, Math.ceil(found.total / found.pageSize))
    return {
      status: 200,
      values,
      problems: [],
      result: { items: found.items, total: found.total, page: found.page, lastPage },
      pageHref,
    }
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== 'VALIDATION_FAILED') throw error
    return { status: 400, values, problems: fieldProblemsOf(error), pageHref }
  }
}

/** `{"reason":"password"}` → `reason: password`, for the table. */
export function detailText(detail: Record<string, unknown>): string {
  return Object.entries(detail)
    .map(([key, value]) => `${key}: ${typeof value === 'string' ? value : JSON.stringify(value)}`)
    .join('；')
}
