import { defaultPenaltyPublicationMonths, penaltyKinds, type PenaltyKind } from './credit.ts'

/**
 * When a 行政处罚 is public (issue 22, point 6): it must be published within 20 working days of
 * the decision (《市场监督管理行政处罚信息公示规定》第十条), and is taken down when its kind's
 * publication period, counted from the decision date, has run out.
 */

/** The law's limit for publishing a decision, in working days after the decision date. */
export const penaltyPublicationLimitDays = 20

/** Months of publication by kind. */
export type PenaltyPublication = Record<PenaltyKind, number>

/**
 * `date` ('YYYY-MM-DD') plus whole calendar months; a day the target month lacks is its last
 * day (2026-01-31 + 1 month = 2026-02-28), as periods in months are reckoned.
 */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number]
  const index = y * 12 + (m - 1) + months
  const year = Math.floor(index / 12)
  const month = (index % 12) + 1
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate()
  const pad = (n: number, w: number) => String(n).padStart(w, '0')
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(Math.min(d, lastDay), 2)}`
}

/** The last day a penalty decided on `decidedOn` is public. */
export function publicationEnd(
  publication: PenaltyPublication,
  kind: PenaltyKind,
  decidedOn: string,
): string {
  return addMonths(decidedOn, publication[kind])
}

/**
 * Parses `CREDIT_PENALTY_PUBLICATION`: `kind:months` pairs separated by commas (e.g.
 * `warning:3,fine:12`); kinds not named keep their default. Throws a message naming what is wrong.
 */
export function parsePenaltyPublication(text: string | undefined): PenaltyPublication {
  const result: PenaltyPublication = { ...defaultPenaltyPublicationMonths }
  if (text === undefined || text.trim() === '') return result
  for (const part of text.split(',')) {
    const match = /^\s*([a-z_]+)\s*:\s*(\d{1,3})\s*$/.exec(part)
    if (!match)
      throw new Error(`expected kind:months pairs such as warning:3,fine:12, got "${part}"`)
    const [, kind, months] = match as unknown as [string, string, string]
    if (!(penaltyKinds as readonly string[]).includes(kind)) {
      throw new Error(`unknown penalty kind "${kind}" (one of ${penaltyKinds.join(', ')})`)
    }
    const value = Number(months)
    if (value < 1 || value > 120)
      throw new Error(`months of ${kind} must be 1 to 120, got ${value}`)
    result[kind as PenaltyKind] = value
  }
  return result
}
