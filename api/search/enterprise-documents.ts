import type { CreditGrade } from '../domain/credit.ts'
import type { CertificationStatus } from '../../db/database.ts'

/** What the public `enterprises` index holds for one certified business: public facts only. */
export interface EnterpriseDocument {
  id: string
  uscc: string
  name: string
  county: string
  countyName: string
  sector: string
  sectorName: string
  status: CertificationStatus
  statusSince: string
  certifiedAt: string
  validUntil: string
  address: string
  /** The credit grade; null when none has been computed. */
  grade: CreditGrade | null
  certified: true
}

/**
 * A market entity (市场主体) in the same index: a business named in the credit record but not on
 * the certified list, so a search finds it too. Documents indexed before this field existed have
 * no `certified` at all: filters say `certified != false` to keep them with the certified ones.
 */
export interface MarketEntityDocument {
  id: string
  uscc: string
  name: string
  county: string
  countyName: string
  sector: string
  sectorName: string
  address: string
  grade: CreditGrade | null
  certified: false
}

export type BusinessDocument = EnterpriseDocument | MarketEntityDocument

/** The filter that keeps the directory to certified businesses. */
export const certifiedOnlyFilter = 'certified != false'
