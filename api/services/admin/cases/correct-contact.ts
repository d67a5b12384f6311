import type { Transaction } from 'kysely'
import type { Database } from '../../../../db/database.ts'
import type { ServiceContext } from '../../../deps.ts'
import { ApiError } from '../../../errors.ts'
import { contactAad, encryptField, phoneHash } from '../../../privacy/pii.ts'
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
 * id), and the phone's keyed hash follows the phone. Returns the contact before and after, to
 * keep both out of the note the action writes.
 */
export async function correctContact(
  ctx: Pick<ServiceContext, 'privacy'>,
  trx: Transaction<Database>,
  id: string,
  corrected: { name?: string | undefined; phone?: string | undefined },
): Promise<{ before: Contact; after: Contact }> {
  const row = await trx
    .selectFrom('complaints')
    .select(['trackingNo', 'piiKeyId', 'nameSealed', 'phoneSealed'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow()
  const { ring, hashKey } = ctx.privacy
  const before = openedOrRetired(ctx, row, corrected)
  const after = { name: corrected.name ?? before.name, phone: corrected.phone ?? before.phone }
  const seal = (value: string | null, field: 'name' | 'phone') =>
    value === null ? null : encryptField(ring, value, contactAad(row.trackingNo, field)).sealed
  await trx
    .updateTable('complaints')
    .set({
      nameSealed: seal(after.name, 'name'),
      phoneSealed: seal(after.phone, 'phone'),
      piiKeyId: ring.currentId,
      phoneHash: after.phone === null ? null : phoneHash(hashKey, after.phone),
    })
    .where('id', '=', id)
    .execute()
  return { before, after }
}
