import type { InspectionCampaign, OperatorRole } from '../../../../db/database.ts'
import type { SignedInOperator } from '../access.ts'
import { requireAccess, type ConsoleAccess } from '../console-request.ts'

// Who may do what with a campaign (issue 22, point 9: county-scoped like cases). A city
// administrator manages every campaign; a county handler creates and manages its own county's;
// everyone reads the campaigns covering their county (every campaign for city level).

/** Who takes part in inspections: city administrators and county handlers, never viewers. */
const inspectors: readonly OperatorRole[] = ['city_admin', 'county_handler']

/** Who may create and run campaigns. */
export const campaignManagers: ConsoleAccess = {
  roles: inspectors,
  refusal: '只读账号不能新建或办理专项检查。',
}

/** Who may record or withdraw a recusal (回避): those who may be sent on a visit. */
export const recusalMakers: ConsoleAccess = {
  roles: inspectors,
  refusal: '只读账号不参与检查，无需登记回避。',
}

export const requireCampaignManager = (operator: SignedInOperator) =>
  requireAccess(campaignManagers, operator)

export const mayReadCampaign = (
  op: SignedInOperator,
  campaign: Pick<InspectionCampaign, 'countyCodes'>,
) => op.countyCode === null || campaign.countyCodes.includes(op.countyCode)

export const mayManageCampaign = (
  op: SignedInOperator,
  campaign: Pick<InspectionCampaign, 'ownerCountyCode'>,
) =>
  op.role === 'city_admin' ||
  (op.role === 'county_handler' &&
    campaign.ownerCountyCode !== null &&
    campaign.ownerCountyCode === op.countyCode)

export const campaignNotFoundMessage = '没有找到这个专项检查，或不在您的区县范围内。'

/** Two people acting on one campaign at once: the second is told (as cases are). */
export const staleCampaignMessage = '该专项检查已被他人更新，请刷新后查看最新内容再操作。'
