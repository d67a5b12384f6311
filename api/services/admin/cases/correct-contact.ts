import type { Transaction } from 'kysely'
import type { Database } from '../../../../db/database.ts'
import { replaceInboxBody } from '../../../../db/queries/hotline-inbox.ts'
import {
  lockInboxEventsOfTicket,
  sealedContactOf,
  ticketNoOfCase,
  updateSealedContact,
} from '../../../../db/queries/personal-data.ts'
import type { ServiceContext } from '../../../deps.ts'
import { errorKind } from '../../../logger.ts'
import { ApiError } from '../../../errors.ts'
import { contactAad, encryptField, phoneHash } from '../../../privacy/pii.ts'
import { correctedInboxBody } from '../../hotline/inbox.ts'
import { unsealContact, type Contact } from './contact.ts'

/**
 * The stored contact; when it was sealed under a key no longer configured it cannot be read, and
 * so cannot be kept half: then the correction must give both.
 */
function openedOrRetired(
  ctx: Pick<ServiceContext, 'privacy'>,
  row: Parameters<typeof unsealContact>[1],
  corrected: { name?: string | undefined; phone?: string | undefined },
): Contact {
  try {
    return unsealContact(ctx.privacy, row)
  } catch {
    if (corrected.name !== undefined && corrected.phone !== undefined) {
      return { name: null, phone: null }
    }
    // What the operator can do about it is fill in both: a field error, not a changed case.
    const message = '原来的姓名和电话已无法解密（加密密钥已停用），请同时填写更正后的姓名和电话。'
    throw new ApiError('VALIDATION_FAILED', message, [
      { field: 'name', message },
      { field: 'phone', message },
    ])
  }
}

/**
 * 更正联系方式, in the action's transaction: the corrected name or phone replaces the stored one,
 * a blank one keeps it. Both are sealed again under the current key (they share the row's key
 * id), and the phone's keyed hash follows the phone. A 12345 case's stored work orders are
 * corrected too (correctWorkOrders). Returns the contact before and after, to keep both out of
 * the note the action writes.
 */
export async function correctContact(
  ctx: Pick<ServiceContext, 'privacy' | 'logger'>,
  trx: Transaction<Database>,
  id: string,
  corrected: { name?: string | undefined; phone?: string | undefined },
): Promise<{ before: Contact; after: Contact }> {
  const row = await sealedContactOf(trx, id)
  const { ring, hashKey } = ctx.privacy
  const before = openedOrRetired(ctx, row, corrected)
  const after = { name: corrected.name ?? before.name, phone: corrected.phone ?? before.phone }
  const seal = (value: string | null, field: 'name' | 'phone') =>
    value === null ? null : encryptField(ring, value, contactAad(row.trackingNo, field)).sealed
  await updateSealedContact(trx, id, {
    nameSealed: seal(after.name, 'name'),
    phoneSealed: seal(after.phone, 'phone'),
    piiKeyId: ring.currentId,
    phoneHash: after.phone === null ? null : phoneHash(hashKey, after.phone),
  })
  await correctWorkOrders(ctx, trx, id, after)
  return { before, after }
}

/**
 * The 12345 work orders a case came from keep the caller's details as sent, until the case's
 * erasure. A correction reaches them too, so the replaced details are kept nowhere: the dispatch
 * carries the corrected ones, and a later event's copy of the ticket is dropped. A work order
 * sealed under a key no longer configured cannot be opened by anyone here and is left as it is;
 * one that no longer parses keeps what was sent until the erasure deletes it.
 */
async function correctWorkOrders(
  ctx: Pick<ServiceContext, 'privacy' | 'logger'>,
  trx: Transaction<Database>,
  complaintId: string,
  contact: Contact,
) {
  const { ring } = ctx.privacy
  const ticketNo = await ticketNoOfCase(trx, complaintId)
  if (ticketNo === undefined) return
  // The action holds the ticket's lock (act.ts): no event of it is being applied meanwhile.
  const rows = await lockInboxEventsOfTicket(trx, ticketNo)
  for (const row of rows) {
    if (!ring.ids.includes(row.piiKeyId)) continue
    let corrected
    try {
      corrected = correctedInboxBody(ring, row, contact)
    } catch (error) {
      ctx.logger.warn(
        { webhookId: row.webhookId, err: errorKind(error) },
        'a stored 12345 work order could not be corrected; it keeps what was sent until the erasure',
      )
      continue
    }
    await replaceInboxBody(trx, row.webhookId, corrected)
  }
}
