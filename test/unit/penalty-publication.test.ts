import { describe, expect, it } from 'vitest'
import { parseConfig } from '../../api/config.ts'
import { defaultPenaltyPublicationMonths } from '../../api/domain/credit.ts'
import {
  addMonths,
  parsePenaltyPublication,
  publicationEnd,
} from '../../api/domain/penalty-publication.ts'

describe('a penalty’s publication period', () => {
  it('counts whole months from the decision date, ending on the month’s last day when short', () => {
    expect(addMonths('2026-03-15', 12)).toBe('2027-03-15')
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28')
    expect(addMonths('2027-11-30', 3)).toBe('2028-02-29')
    expect(addMonths('2026-12-06', 36)).toBe('2029-12-06')
  })

  it('takes each kind’s months from configuration, the defaults for kinds not named', () => {
    const publication = parsePenaltyPublication('warning:6, fine:24')
    expect(publication).toEqual({ ...defaultPenaltyPublicationMonths, warning: 6, fine: 24 })
    expect(publicationEnd(publication, 'fine', '2026-05-20')).toBe('2028-05-20')
    expect(parsePenaltyPublication(undefined)).toEqual(defaultPenaltyPublicationMonths)
  })

  it('refuses to start with a period it cannot read, naming the variable', () => {
    for (const wrong of ['fine', 'fine:0', 'parking:3', 'fine:12;warning:3']) {
      expect(() => parseConfig({ CREDIT_PENALTY_PUBLICATION: wrong })).toThrow(
        /CREDIT_PENALTY_PUBLICATION/,
      )
    }
    // Kept as written, so a child process can be given it back as a variable.
    expect(parseConfig({ CREDIT_PENALTY_PUBLICATION: 'fine:6' }).CREDIT_PENALTY_PUBLICATION).toBe(
      'fine:6',
    )
  })
})
