import { describe, expect, it } from 'vitest'
import * as certification from '../../api/domain/certification.ts'
import * as complaints from '../../api/domain/complaints.ts'
import { countyCodes, countyNames } from '../../api/domain/counties.ts'
import * as notifications from '../../api/domain/notifications.ts'

describe('the shared vocabulary of api/domain', () => {
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
    labelled(notifications.notificationTransports, notifications.notificationTransportLabels)
  })

  it('names a stored unit in Chinese, and keeps an unknown code rather than dropping it', () => {
    expect(complaints.unitName('jin')).toBe('斤')
    expect(complaints.unitName('kg')).toBe('千克')
    expect(complaints.unitName('l')).toBe('升')
    expect(complaints.unitName('m')).toBe('米')
    expect(complaints.unitName('dun')).toBe('dun')
    expect(complaints.unitName(null)).toBeNull()
    expect(complaints.unitName('')).toBeNull()
  })
})
