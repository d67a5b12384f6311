import type { CertificationStatus } from '../../db/database.ts'

/** What the public `enterprises` index holds for one business: public facts only. */
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
}
