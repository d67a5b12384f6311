import { findCasePhoto } from '../../../../db/queries/cases.ts'
import type { ServiceContext } from '../../../deps.ts'
import { ApiError } from '../../../errors.ts'
import { maySeeCounty, type SignedInOperator } from '../access.ts'
import { recordAudit } from '../audit.ts'

const photoNotFound = () =>
  new ApiError('NOT_FOUND', '没有找到这张照片，或它所属的案件不在您的办理范围内。')

/**
 * A case photo's bytes, for an operator who may see the case (anyone else gets the same 404 as
 * for a photo that does not exist). Each view is in the audit log: photos may show people.
 */
export async function casePhoto({
  ctx,
  operator,
  input,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: { photoId: string; clientAddress: string }
}): Promise<{ bytes: Uint8Array; contentType: string }> {
  if (!/^[1-9]\d{0,17}$/.test(input.photoId)) throw photoNotFound()
  const photo = await findCasePhoto(ctx.db, input.photoId)
  if (!photo || !maySeeCounty(operator, photo.countyCode)) throw photoNotFound()
  const stored = await ctx.photos.get(photo.storageKey)
  if (!stored) {
    ctx.logger.error({ photoId: photo.id }, 'case photo missing from storage')
    throw photoNotFound()
  }
  await recordAudit(ctx.db, {
    operator,
    action: 'case.photo_viewed',
    complaintId: photo.complaintId,
    clientAddress: input.clientAddress,
    detail: { photoId: photo.id },
  })
  return { bytes: stored.bytes, contentType: photo.contentType }
}
