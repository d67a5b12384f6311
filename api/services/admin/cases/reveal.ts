import { findCase } from '../../../../db/queries/cases.ts'
import type { ServiceContext } from '../../../deps.ts'
import { ApiError } from '../../../errors.ts'
import { mayRevealPersonalData, type SignedInOperator } from '../access.ts'
import { recordAudit } from '../audit.ts'
import { erasureNotice } from '../../../domain/erasure.ts'
import { unsealContact, type Contact } from './contact.ts'
import { assertCaseVisible, checkedId } from './scope.ts'

/**
 * The resident's name and phone in full, for a handler who must call them back (PIPL: shown only
 * on an explicit request, and every reveal is in the audit log; never to a `viewer`). The audit
 * entry records that it happened, not what was shown.
 */
export async function revealContact({
  ctx,
  operator,
  input,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: { id: string; clientAddress: string }
}): Promise<Contact> {
  const row = await findCase(ctx.db, checkedId(input.id))
  assertCaseVisible(operator, row)
  if (!mayRevealPersonalData(operator)) {
    throw new ApiError(
      'FORBIDDEN',
      '只读账号不能查看完整的姓名和电话。如需联系投诉举报人，请由承办人查看。',
    )
  }
  if (row.personalDataErasedAt !== null) {
    throw new ApiError(
      'CONFLICT',
      `${erasureNotice(row.personalDataErasedAt, row.personalDataErasure)}无法再查看。`,
      {
        reason: 'personal_data_erased',
      },
    )
  }
  const contact = unsealContact(ctx.privacy, row)
  await recordAudit(ctx.db, {
    operator,
    action: 'case.pii_revealed',
    complaintId: row.id,
    clientAddress: input.clientAddress,
    detail: { fields: (['name', 'phone'] as const).filter((f) => contact[f] !== null) },
  })
  return contact
}
