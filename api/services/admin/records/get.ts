import {
  consoleCases,
  consoleCommitments,
  consoleCorrections,
  consoleInspections,
  consoleObjections,
  consolePenalties,
  currentGrade,
} from '../../../../db/queries/credit-console.ts'
import type { ServiceContext } from '../../../deps.ts'
import { publicFindings, type RecordItemKind } from '../../../domain/credit.ts'
import { maskPersonalNumbers } from '../../../domain/masks.ts'
import { mayRevealPersonalData, type SignedInOperator } from '../access.ts'
import { businessInScope, mayChangeRecords } from './access.ts'
import type { ConsoleRecord } from './schemas.ts'

const iso = (d: Date | null) => (d ? d.toISOString() : null)

/**
 * A business's whole credit record as the console sees it: every commitment (withdrawn ones
 * too), every recorded visit (published or not), every closed case naming it with its finding,
 * every penalty (taken down ones too), each with its correction, and the objections. County
 * scoped like cases; nothing of a resident is read.
 */
export async function getConsoleRecord({
  ctx,
  operator,
  uscc,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  uscc: string
}): Promise<ConsoleRecord> {
  const business = await businessInScope(ctx, operator, uscc)
  const [commitments, inspections, cases, penalties, corrections, objections, grade] =
    await Promise.all([
      consoleCommitments(ctx.db, uscc),
      consoleInspections(ctx.db, uscc),
      consoleCases(ctx.db, uscc),
      consolePenalties(ctx.db, uscc),
      consoleCorrections(ctx.db, uscc),
      consoleObjections(ctx.db, uscc),
      currentGrade(ctx.db, uscc),
    ])
  const correctionOf = (kind: RecordItemKind, id: string) => {
    const found = corrections.find((c) => c.itemKind === kind && c.itemId === id)
    return found
      ? {
          effect: found.effect,
          note: found.note,
          objectionId: found.objectionId,
          correctedAt: found.correctedAt.toISOString(),
        }
      : null
  }
  // A business's letter or a handler's note may quote someone's number: a viewer never sees one,
  // as on a case (api/domain/masks.ts).
  const shown = (text: string) =>
    mayRevealPersonalData(operator) ? text : maskPersonalNumbers(text)
  // The one in force is the one the public record shows: the latest not withdrawn.
  const current = commitments.find((c) => c.withdrawnAt === null)
  return {
    uscc: business.uscc,
    name: business.name,
    countyCode: business.countyCode,
    certificationStatus: business.certificationStatus,
    grade: grade
      ? {
          grade: grade.grade,
          ruleVersion: grade.ruleVersion,
          reasons: grade.reasons,
          nextAgeOut: grade.nextAgeOut,
          computedAt: grade.computedAt.toISOString(),
        }
      : null,
    commitments: commitments.map((c) => ({
      id: c.id,
      textVersion: c.textVersion,
      signedOn: c.signedOn,
      signerRole: c.signerRole,
      source: c.source,
      current: c.id === current?.id,
      withdrawnAt: iso(c.withdrawnAt),
      withdrawalReason: c.withdrawalReason,
      recordedAt: c.createdAt.toISOString(),
      correction: correctionOf('commitment', c.id),
    })),
    inspections: inspections.map((v) => ({
      ...v,
      publishedAt: iso(v.publishedAt),
      correction: correctionOf('inspection', v.id),
    })),
    cases: cases.map((c) => ({
      id: c.id,
      trackingNo: c.trackingNo,
      category: c.category,
      finding: c.finding!,
      followUp: c.followUp,
      closedOn: c.closedOn,
      public: publicFindings.includes(c.finding!),
      correction: correctionOf('case', c.id),
    })),
    penalties: penalties.map((p) => ({
      ...p,
      publishedAt: iso(p.publishedAt),
      takenDownAt: iso(p.takenDownAt),
      correction: correctionOf('penalty', p.id),
    })),
    objections: objections.map((o) => ({
      id: o.id,
      itemKind: o.itemKind,
      itemId: o.itemId,
      receivedOn: o.receivedOn,
      statement: shown(o.statement),
      status: o.status,
      outcomeNote: o.outcomeNote === null ? null : shown(o.outcomeNote),
      decidedAt: iso(o.decidedAt),
      decidedBy: o.decidedBy,
      version: o.version,
    })),
    commitmentVersions: [...ctx.commitmentVersions],
    mayChange: mayChangeRecords(operator),
  }
}
