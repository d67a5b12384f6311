import { randomBytes } from 'node:crypto'
import {
  findVisit,
  findVisitPhoto,
  insertVisitPhotos,
  isVisitInspector,
  lockVisit,
  visitPhotoCount,
} from '../../../../db/queries/visits.ts'
import type { ServiceContext } from '../../../deps.ts'
import { acceptPhotos, type IncomingPhoto } from '../../../photos/accept.ts'
import { PhotoRejected } from '../../../photos/errors.ts'
import { ApiError } from '../../../errors.ts'
import { maySeeCounty, type SignedInOperator } from '../access.ts'
import { recordAudit } from '../audit.ts'
import { assertMayWrite, checkedVisitId, visitNotFound } from './access.ts'
import { maxVisitPhotos, visitDetail } from './get.ts'
import type { VisitDetail } from './schemas.ts'

/** Photos sent at once: the complaint form's limit, so one upload fits the same body limit. */
const visitPhotosPerUpload = 3

const photoError = (message: string) =>
  new ApiError('VALIDATION_FAILED', message, [{ field: 'photos', message }])

/**
 * Adds photos of instruments to a visit (POST /api/admin/visits/{id}/photos and the visit page):
 * checked and stripped of their metadata exactly as a complaint's (api/photos), stored under the
 * visit's own folder before the transaction, then listed in it; a refused or failed transaction
 * removes the files again. Photos are console-only: no public surface reads visit_photos.
 */
export async function addVisitPhotos({
  ctx,
  operator,
  input,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: { id: string; photos: readonly IncomingPhoto[]; clientAddress: string }
}): Promise<VisitDetail> {
  const id = checkedVisitId(input.id)
  await assertMayWrite(ctx, operator, await findVisit(ctx.db, id))
  let accepted
  try {
    accepted = acceptPhotos(input.photos, {
      maxCount: visitPhotosPerUpload,
      maxBytes: 5 * 1024 * 1024,
    })
  } catch (error) {
    if (error instanceof PhotoRejected) throw photoError(error.message)
    throw error
  }
  if (accepted.length === 0) throw photoError('请选择要上传的照片。')
  const keys: string[] = []
  try {
    for (const [i, photo] of accepted.entries()) {
      const key = `visits/${id}/${randomBytes(12).toString('hex')}-${i + 1}`
      await ctx.photos.put(key, photo.bytes, photo.contentType)
      keys.push(key)
    }
    await ctx.db.transaction().execute(async (trx) => {
      // The visit's lock orders two uploads to one visit, so positions never collide.
      const visit = await lockVisit(trx, id)
      if (!visit) throw visitNotFound()
      const { count, last } = await visitPhotoCount(trx, id)
      if (count + accepted.length > maxVisitPhotos || last + accepted.length > maxVisitPhotos) {
        throw photoError(
          `每次检查最多保存 ${maxVisitPhotos} 张照片，已有 ${count} 张，本次最多再上传 ${Math.max(0, maxVisitPhotos - Math.max(count, last))} 张。`,
        )
      }
      await insertVisitPhotos(
        trx,
        accepted.map((photo, i) => ({
          visitId: id,
          position: last + i + 1,
          storageKey: keys[i]!,
          contentType: photo.contentType,
          sizeBytes: photo.size,
          sha256: photo.sha256,
          originalName: photo.originalName,
        })),
      )
      await recordAudit(trx, {
        operator,
        action: 'visit.photos_added',
        enterpriseUscc: visit.uscc,
        clientAddress: input.clientAddress,
        detail: { visitId: id, photos: accepted.length },
      })
    })
  } catch (error) {
    await Promise.allSettled(keys.map((k) => ctx.photos.delete(k)))
    throw error
  }
  const row = await findVisit(ctx.db, id)
  if (!row) throw visitNotFound()
  return visitDetail(ctx, row, true)
}

const photoNotFound = () =>
  new ApiError('NOT_FOUND', '没有找到这张照片，或它所属的检查不在您的工作范围内。')

/** A visit photo's bytes, for an operator who may see the visit (else 404); each view audited. */
export async function visitPhoto({
  ctx,
  operator,
  input,
}: {
  ctx: ServiceContext
  operator: SignedInOperator
  input: { photoId: string; clientAddress: string }
}): Promise<{ bytes: Uint8Array; contentType: string }> {
  if (!/^[1-9]\d{0,17}$/.test(input.photoId)) throw photoNotFound()
  const photo = await findVisitPhoto(ctx.db, input.photoId)
  if (
    !photo ||
    !(
      maySeeCounty(operator, photo.countyCode) ||
      (await isVisitInspector(ctx.db, photo.visitId, operator.id))
    )
  ) {
    throw photoNotFound()
  }
  const stored = await ctx.photos.get(photo.storageKey)
  if (!stored) {
    ctx.logger.error({ photoId: photo.id }, 'visit photo missing from storage')
    throw photoNotFound()
  }
  await recordAudit(ctx.db, {
    operator,
    action: 'visit.photo_viewed',
    enterpriseUscc: photo.uscc,
    clientAddress: input.clientAddress,
    detail: { visitId: photo.visitId, photoId: photo.id },
  })
  return { bytes: stored.bytes, contentType: photo.contentType }
}
