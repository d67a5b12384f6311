import { ApiError } from '../../api/errors.ts'
import { getEnterprise } from '../../api/services/enterprises/get.ts'
import {
  creditSummary,
  findMarketEntity,
  type CreditSummary,
  type MarketEntity,
} from '../../api/services/credit/public-record.ts'
import { usccProblem } from '../../api/domain/uscc.ts'
import { statusNotice, type StatusNotice } from './enterprise-page.ts'
import { serviceContext } from './services.ts'

/** The live check a business's plaque links to (扫码核验). */
export const verifyPath = (uscc: string) => `/verify/${uscc}`

type Enterprise = Awaited<ReturnType<typeof getEnterprise>>

export type VerifyPage =
  | {
      kind: 'found'
      status: 200
      enterprise: Enterprise
      notice: StatusNotice | null
      credit: CreditSummary
    }
  /** A market entity: not certified, but with a public credit record. */
  | { kind: 'entity'; status: 200; entity: MarketEntity; credit: CreditSummary }
  | {
      kind: 'unknown'
      status: 404
      /** The code as asked for, shortened if someone pasted a page of text. */
      code: string
      /** Which rule of the code's standard it breaks; null for a well-formed code not on the list. */
      problem: string | null
    }

/**
 * What the plaque's QR code opens: the business's status read from PostgreSQL at this moment, not
 * from the prerendered page, which follows a change within minutes. A code that is not on the list
 * (a plaque made up, or one for a business that never was certified) says so plainly; a market
 * entity with a credit record is shown as 未认定, with its grade and last inspection.
 */
export async function verifyEnterprise(raw: string): Promise<VerifyPage> {
  const code = raw.trim().toUpperCase()
  const shown = code.length > 40 ? `${code.slice(0, 40)}…` : code
  const problem = usccProblem(code)
  if (problem) return { kind: 'unknown', status: 404, code: shown, problem: problem.message }
  const ctx = serviceContext()
  try {
    const enterprise = await getEnterprise({ ctx, input: { uscc: code } })
    const credit = await creditSummary({ ctx, input: { business: enterprise } })
    return { kind: 'found', status: 200, enterprise, notice: statusNotice(enterprise), credit }
  } catch (error) {
    if (!(error instanceof ApiError) || error.code !== 'NOT_FOUND') throw error
  }
  const entity = await findMarketEntity({ ctx, input: { uscc: code } })
  if (!entity) return { kind: 'unknown', status: 404, code: shown, problem: null }
  const credit = await creditSummary({ ctx, input: { business: entity } })
  return { kind: 'entity', status: 200, entity, credit }
}
