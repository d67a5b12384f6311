import { certificationStatuses, type CertificationStatus } from '../../../db/database.ts'
import { directoryCounts } from '../../../db/queries/directory.ts'
import type { ServiceContext } from '../../deps.ts'
import { statusLabels } from '../../domain/certification.ts'
import { creditGradeLabels, creditGrades, type CreditGrade } from '../../domain/credit.ts'

interface FacetOption<T extends string = string> {
  value: T
  label: string
  total: number
}

export interface DirectoryFacets {
  counties: FacetOption[]
  sectors: FacetOption[]
  statuses: FacetOption<CertificationStatus>[]
  /** 信用等级: businesses with a computed grade; one without any is in none of these. */
  grades: FacetOption<CreditGrade>[]
}

/**
 * The options of the directory's filters with how many businesses each holds. The city-level
 * row (市本级) is offered only when it holds any.
 */
export async function directoryFacets({ ctx }: { ctx: ServiceContext }): Promise<DirectoryFacets> {
  const counts = await directoryCounts(ctx.db)
  const byStatus = new Map(counts.statuses.map((s) => [s.status, s.total]))
  const byGrade = new Map(counts.grades.map((g) => [g.grade, g.total]))
  return {
    counties: counts.counties
      .filter((c) => c.code !== '331100' || c.total > 0)
      .map((c) => ({ value: c.code, label: c.name, total: c.total })),
    sectors: counts.sectors.map((s) => ({ value: s.code, label: s.name, total: s.total })),
    statuses: certificationStatuses.map((s) => ({
      value: s,
      label: statusLabels[s],
      total: byStatus.get(s) ?? 0,
    })),
    grades: creditGrades.map((g) => ({
      value: g,
      label: `${g} 级（${creditGradeLabels[g]}）`,
      total: byGrade.get(g) ?? 0,
    })),
  }
}
