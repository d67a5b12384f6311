import type { SignedInOperator } from '../../console-session.ts'

export type { SignedInOperator }

// Who may do what (issue: case handlers' console). A `city_admin` sees every county and manages
// operators, enterprises and the audit log; a `county_handler` works the cases of one county; a
// `viewer` reads within its scope and always sees personal data masked.

/** A city-level operator: every county is in scope, and a page offers the choice of county. */
export const seesEveryCounty = (op: Pick<SignedInOperator, 'countyCode'>) => op.countyCode === null

/** Whether a county's cases are in the operator's scope. */
export const maySeeCounty = (op: SignedInOperator, countyCode: string) =>
  seesEveryCounty(op) || op.countyCode === countyCode

/** The county filter the server adds to every case query: null means every county. */
export const caseCountyScope = (op: SignedInOperator): string | null => op.countyCode

export const mayRevealPersonalData = (op: SignedInOperator) => op.role !== 'viewer'

export const isCityAdmin = (op: SignedInOperator) => op.role === 'city_admin'
