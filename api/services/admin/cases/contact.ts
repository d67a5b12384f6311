import type { CaseRow } from '../../../../db/queries/cases.ts'
import type { Privacy } from '../../../deps.ts'
import { maskName, maskPhone } from '../../../domain/masks.ts'
import { contactAad, decryptField } from '../../../privacy/pii.ts'

export interface Contact {
  name: string | null
  phone: string | null
}

type SealedContact = Pick<CaseRow, 'trackingNo' | 'piiKeyId' | 'nameSealed' | 'phoneSealed'>

/** Opens the name and phone sealed at intake, by a 12345 ticket or by a correction. */
export function unsealContact(privacy: Privacy, row: SealedContact): Contact {
  const open = (sealed: Buffer | null, field: 'name' | 'phone') =>
    sealed === null || row.piiKeyId === null
      ? null
      : decryptField(privacy.ring, row.piiKeyId, sealed, contactAad(row.trackingNo, field))
  return { name: open(row.nameSealed, 'name'), phone: open(row.phoneSealed, 'phone') }
}

/** 张* and 138****5678: what every console page shows until a reveal. */
export function maskedContact(privacy: Privacy, row: SealedContact): Contact {
  const contact = unsealContact(privacy, row)
  return {
    name: contact.name === null ? null : maskName(contact.name),
    phone: contact.phone === null ? null : maskPhone(contact.phone),
  }
}
