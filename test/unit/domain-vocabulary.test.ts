import { describe, expect, expectTypeOf, it } from 'vitest'
import * as db from '../../db/database.ts'
import * as certification from '../../api/domain/certification.ts'
import * as complaints from '../../api/domain/complaints.ts'
import { countyCodes, countyNames } from '../../api/domain/counties.ts'

// api/domain/ imports nothing of ours and db/ imports nothing from api/, so the lists the
// database checks and the lists the labels cover are written twice: here they are held equal,
// in value (this run) and in type (tsc reads this file).

describe('the shared vocabulary of api/domain', () => {
  it('lists the complaint kinds, categories, statuses and units the database checks', () => {
    expect(complaints.complaintKinds).toEqual(db.complaintKinds)
    expect(complaints.complaintCategories).toEqual(db.complaintCategories)
    expect(complaints.complaintStatuses).toEqual(db.complaintStatuses)
    expect(complaints.quantityUnits).toEqual(db.quantityUnits)
    expectTypeOf<complaints.ComplaintKind>().toEqualTypeOf<db.ComplaintKind>()
    expectTypeOf<complaints.ComplaintCategory>().toEqualTypeOf<db.ComplaintCategory>()
    expectTypeOf<complaints.ComplaintStatus>().toEqualTypeOf<db.ComplaintStatus>()
    expectTypeOf<complaints.QuantityUnit>().toEqualTypeOf<db.QuantityUnit>()
  })

  it('lists the certification statuses and event kinds the database checks', () => {
    expect(certification.certificationStatuses).toEqual(db.certificationStatuses)
    expect(certification.certificationEventKinds).toEqual(db.certificationEventKinds)
    expectTypeOf<certification.CertificationStatus>().toEqualTypeOf<db.CertificationStatus>()
    expectTypeOf<certification.CertificationEventKind>().toEqualTypeOf<db.CertificationEventKind>()
  })

  it('labels every value in Chinese', () => {
    const labelled = (values: readonly string[], labels: Record<string, string>) =>
      expect(Object.keys(labels).sort()).toEqual([...values].sort())
    labelled(complaints.complaintKinds, complaints.kindLabels)
    labelled(complaints.complaintCategories, complaints.categoryLabels)
    labelled(complaints.complaintStatuses, complaints.complaintStatusLabels)
    labelled(complaints.quantityUnits, complaints.unitLabels)
    labelled(certification.certificationStatuses, certification.statusLabels)
    labelled(certification.certificationEventKinds, certification.eventLabels)
    labelled(countyCodes, countyNames)
  })
})
