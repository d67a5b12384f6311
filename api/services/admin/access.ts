import type { SignedInOperator } from '../../console-session.ts'

export type { SignedInOperator }

/**
 * Who may do what (issue: case handlers' console). A `city_admin` sees every county and manages
 * operators, enterprises and the audit log; a `county_handler` works the cases of one county; a
 * `viewer` reads within its scope and always sees personal data masked.
 */
export const maySeeCounty = (op: SignedInOperator, countyCode: string) =>
  op.countyCode === null || op.countyCode === countyCode

/** The county filter the server adds to every case query: null means every county. */
export const caseCountyScope = (op: SignedInOperator): string | null => op.countyCode

export const mayRevealPersonalData = (op: SignedInOperator) => op.role !== 'viewer'

export const isCityAdmin = (op: SignedInOperator) => op.role === 'city_admin'
