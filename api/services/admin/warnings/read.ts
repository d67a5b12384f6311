import {
  casesOfWarning,
  countOpenWarnings,
  findWarning,
  listWarnings,
  warningsOfCase,
} from '../../../../db/queries/warnings-console.ts'
import type { ServiceContext } from '../../../deps.ts'
import { categoryLabels, complaintStatusLabels } from '../../../domain/complaints.ts'
import {
  openWarningStates,
  warningSeverityLabels,
  warningStateLabels,
  warningSubjectKindLabels,
  type WarningState,
} from '../../../domain/warnings.ts'
import { caseCountyScope, type SignedInOperator } from '../access.ts'
import { assertWarningVisible, listCounty, mayActOnWarning, maySeeWarning } from './access.ts'
import {
  warningPageSize,
  type WarningDetail,
  type WarningList,
  type WarningListQuery,
} from './schemas.ts'
import { toWarningView } from './view.ts'

/**
 * The warnings in the operator's scope: open and acknowledged ones first (they still need
 * someone), then the most severe, then the latest fired.
 */
export async function listWarningsForConsole({
  ctx,
  operator,
  input,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: WarningListQuery
}): Promise<WarningList> {
  const county = listCounty(operator, input.county)
  const operatorCounty = caseCountyScope(operator)
  const [{ items, total }, openCount] = await Promise.all([
    listWarnings(
      ctx.db,
      { operatorCounty, county, state: input.state },
      { offset: (input.page - 1) * warningPageSize, limit: warningPageSize },
    ),
    countOpenWarnings(ctx.db, operatorCounty),
  ])
  return {
    items: items.map(toWarningView),
    total,
    page: input.page,
    pageSize: warningPageSize,
    openCount,
  }
}

/** One warning in scope (else 404) with its cases: no resident's name, phone or words. */
export async function getWarning({
  ctx,
  operator,
  input,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: { id: string }
}): Promise<WarningDetail> {
  const row = await findWarning(ctx.db, input.id)
  assertWarningVisible(operator, row)
  const cases = await casesOfWarning(ctx.db, row.id)
  const view = toWarningView(row)
  return {
    ...view,
    cases: cases.map((c) => ({
      id: c.id,
      trackingNo: c.trackingNo,
      receivedAt: c.receivedAt.toISOString(),
      category: c.category,
      categoryName: categoryLabels[c.category],
      status: c.status,
      statusName: complaintStatusLabels[c.status],
    })),
    mayAct:
      (openWarningStates as readonly WarningState[]).includes(view.state) &&
      mayActOnWarning(operator, row.countyCode),
  }
}

/** How many warnings in the operator's scope still need someone: the navigation's count. */
export function openWarningCount({
  ctx,
  operator,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
}): Promise<number> {
  return countOpenWarnings(ctx.db, caseCountyScope(operator))
}

/** The warnings a case is evidence of that the operator may open, for the case's page. */
export async function warningsForCase(
  ctx: ServiceContext,
  operator: SignedInOperator,
  complaintId: string,
) {
  const rows = await warningsOfCase(ctx.db, complaintId)
  return rows
    .filter((w) => maySeeWarning(operator, w.countyCode))
    .map((w) => ({
      id: w.id,
      subjectKindName: warningSubjectKindLabels[w.subjectKind],
      subjectLabel: w.subjectLabel,
      severityName: warningSeverityLabels[w.severity],
      state: w.state,
      stateName: warningStateLabels[w.state],
      firedAt: w.firedAt.toISOString(),
    }))
}
