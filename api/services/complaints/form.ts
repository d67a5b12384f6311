import type { FileComplaintInput } from './file.ts'

export interface ComplaintForm {
  /** Each text field's first value, as typed. */
  fields: Record<string, string>
  /** Files of the `photos` field; inputs left empty (0 bytes) are dropped here. */
  photos: FileComplaintInput['photos']
  /** The hidden `idempotencyToken`, if the form carried one. */
  token: string | undefined
}

/**
 * A posted complaint form (urlencoded or multipart), read the same way for `POST /api/complaints`
 * and for the site's own form page.
 */
export async function readComplaintForm(form: FormData): Promise<ComplaintForm> {
  const fields: Record<string, string> = {}
  const photos: ComplaintForm['photos'] = []
  for (const [name, value] of form.entries()) {
    if (typeof value === 'string') {
      if (name !== 'photos') fields[name] ??= value
    } else if (name === 'photos' && value.size > 0) {
      photos.push({
        name: value.name,
        declaredType: value.type,
        bytes: new Uint8Array(await value.arrayBuffer()),
      })
    }
  }
  const token = fields.idempotencyToken?.trim().slice(0, 200)
  return { fields, photos, token: token === '' ? undefined : token }
}
