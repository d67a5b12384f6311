import { describe, expect, it } from 'vitest'
import { operatorRoles, type OperatorRole } from '../../api/domain/console.ts'
import { maySeeCounty, seesEveryCounty } from '../../api/services/admin/access.ts'
import { totpMandatory, totpRequired } from '../../api/services/admin/auth/stages.ts'
import { campaignManagers, recusalMakers } from '../../api/services/admin/campaigns/access.ts'
import { mayHandleCases } from '../../api/services/admin/cases/machine.ts'
import { passesAccess } from '../../api/services/admin/console-request.ts'
import { penaltyReaders, penaltyWriters } from '../../api/services/admin/penalties/access.ts'

/**
 * What the console's pages ask the services before showing a form or a choice (issue 21: a page
 * no longer compares a role by name). Each answer is the one the pages gave before, role by role.
 */

const whoPasses = (rule: Parameters<typeof passesAccess>[0]) =>
  operatorRoles.filter((role) => passesAccess(rule, { role }))

describe('the rules console pages ask', () => {
  it('show the penalty, campaign and recusal forms to handlers and city admins, not viewers', () => {
    const writers: OperatorRole[] = ['city_admin', 'county_handler']
    expect(whoPasses(penaltyWriters)).toEqual(writers)
    expect(whoPasses(campaignManagers)).toEqual(writers)
    expect(whoPasses(recusalMakers)).toEqual(writers)
    expect(whoPasses(penaltyReaders)).toEqual([...operatorRoles])
  })

  it('tell only a viewer that it may not handle cases at all', () => {
    expect(operatorRoles.filter((role) => !mayHandleCases({ role }))).toEqual(['viewer'])
  })

  it('require a second factor of a city admin, enrolled or not, and of others once enrolled', () => {
    expect(operatorRoles.filter((role) => totpMandatory({ role }))).toEqual(['city_admin'])
    const enrolled = new Date()
    for (const role of operatorRoles) {
      expect(totpRequired({ role, totpEnabledAt: enrolled })).toBe(true)
      expect(totpRequired({ role, totpEnabledAt: null })).toBe(role === 'city_admin')
    }
  })

  it('offer the choice of county to a city-level operator only, who sees every county', () => {
    const city = { id: '1', username: 'city', role: 'city_admin', countyCode: null } as const
    const county = { ...city, role: 'county_handler', countyCode: '331102' } as const
    expect(seesEveryCounty(city)).toBe(true)
    expect(seesEveryCounty(county)).toBe(false)
    expect(maySeeCounty(city, '331121')).toBe(true)
    expect(maySeeCounty(county, '331121')).toBe(false)
    expect(maySeeCounty(county, '331102')).toBe(true)
  })
})
