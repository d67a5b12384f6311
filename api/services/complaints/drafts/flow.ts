import { bodyLimitFor } from '../../../body-limits.ts'
import type { ServiceContext } from '../../../deps.ts'
import { ApiError } from '../../../errors.ts'
import { acceptPhotos, defaultPhotoLimits, type IncomingPhoto } from '../../../photos/accept.ts'
import { PhotoRejected } from '../../../photos/errors.ts'
import { fieldProblemsOf, type FieldProblem } from '../../../validation.ts'
import { knownCounty } from '../counties.ts'
import { validate } from '../file-checks.ts'
import { fileComplaint } from '../file.ts'
import { readComplaintForm } from '../form.ts'
import type { ComplaintReceipt } from '../receipt.ts'
import { receiptCookie } from '../receipt-cookie.ts'
import { formFieldsToInput } from '../schemas.ts'
import type { ComplaintFormValues } from '../submit.ts'
import { draftBusiness } from './business.ts'
import {
  complaintSteps,
  nextAfter,
  standInValues,
  stepFields,
  type ComplaintStep,
} from './steps.ts'
import {
  draftIdempotencyKey,
  readDraft,
  removeDraftPhoto,
  saveDraft,
  startDraft,
  storeDraftPhotos,
  draftLifetimeMs,
  type Draft,
  type DraftAnswers,
} from './store.ts'

/** Where the resident goes after a step is saved. */
type StepTarget = ComplaintStep | 'check'

export type StepOutcome =
  | { kind: 'saved'; token: string; goTo: StepTarget; returnToCheck: boolean }
  | {
      kind: 'refused'
      token: string
      /** The step was opened with 修改 from the check page, and still returns there. */
      returnToCheck: boolean
      status: number
      problems: FieldProblem[]
      notice?: string
      /** What to show in the step again: the posted answers over the draft's. */
      values: ComplaintFormValues
      draft: Draft
    }

interface SaveStepInput {
  /** The draft token from the resident's cookie, if any. */
  token: string | undefined
  step: ComplaintStep
  request: Request
}

/** A draft's steps that still need answers, in order (the photo step once it has been seen). */
export function unfinishedSteps(answers: DraftAnswers, now = new Date()): ComplaintStep[] {
  return complaintSteps.filter((step) => {
    if (!answers.done.includes(step)) return true
    return stepProblems(step, answers.values, now).length > 0
  })
}

/** The problems of one step's fields, checked with the rest standing in (steps.ts). */
function stepProblems(step: ComplaintStep, values: ComplaintFormValues, now: Date): FieldProblem[] {
  const fields = stepFields[step]
  if (fields.length === 0) return []
  const own = Object.fromEntries(fields.map((f) => [f, values[f] ?? '']))
  const kind = values.kind ? { kind: values.kind } : {}
  try {
    validate(formFieldsToInput({ ...standInValues(now), ...kind, ...own }))
    return []
  } catch (error) {
    if (!(error instanceof ApiError)) throw error
    return fieldProblemsOf(error).filter((p) => fields.includes(p.field as never))
  }
}

const emptyAnswers = (): DraftAnswers => ({ values: {}, photos: [], done: [] })

/** A photo step whose body is larger than its limit (read from the declared length only). */
function declaredTooLarge(ctx: ServiceContext, request: Request, step: ComplaintStep) {
  if (step !== 'photos') return undefined
  const limit = bodyLimitFor(ctx.config, '/complaints/steps/photos')
  const length = Number(request.headers.get('content-length') ?? '0')
  return Number.isFinite(length) && length > limit.maxBytes ? limit.message : undefined
}

/**
 * Saves one step of a complaint filled in step by step: the step's fields checked with the same
 * rules and messages as a whole complaint, then kept in the resident's draft (started here when
 * there is none, or it expired). A step posted from the check page (`returnToCheck`) goes back to
 * it; any other goes to the next step.
 */
export async function saveStep({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: SaveStepInput
}): Promise<StepOutcome> {
  const now = new Date()
  const { step, request } = input
  let draft = await readDraft(ctx, input.token, now)
  let token: string
  if (!input.token || !draft || draft.filedTrackingNo) {
    token = await startDraft(ctx, now)
    draft = { ...emptyAnswers(), expiresAt: new Date(now.getTime() + draftLifetimeMs) }
  } else {
    token = input.token
  }
  const tooLarge = declaredTooLarge(ctx, request, step)
  if (tooLarge) {
    return {
      kind: 'refused',
      token,
      returnToCheck: false,
      status: 413,
      problems: [],
      notice: tooLarge,
      values: draft.values,
      draft,
    }
  }
  let form: Awaited<ReturnType<typeof readComplaintForm>>
  let raw: FormData
  try {
    raw = await request.formData()
    form = await readComplaintForm(raw)
  } catch {
    return {
      kind: 'refused',
      token,
      returnToCheck: false,
      status: 400,
      problems: [],
      notice: '提交的表单格式有误，无法读取。请重新填写这一步。',
      values: draft.values,
      draft,
    }
  }
  // The first step opened from a business's page or plaque check carries its code: the draft names
  // that business from now on (the 在哪里 answers), whatever this step's own answers turn out to be.
  const business = step === 'what' ? raw.get('business') : null
  if (typeof business === 'string' && business !== '') {
    const named = await draftBusiness({ ctx, input: { code: business } })
    if (named.kind === 'named') {
      draft = { ...draft, values: { ...draft.values, ...named.values } }
      await saveDraft(ctx, token, draft, now)
    }
  }
  const returnToCheck = form.fields.returnTo === 'check'
  const answers: DraftAnswers = {
    values: { ...draft.values },
    photos: [...draft.photos],
    done: [...draft.done],
  }
  for (const field of stepFields[step]) answers.values[field] = form.fields[field] ?? ''

  if (step === 'photos') {
    const remove = raw.get('remove')
    if (typeof remove === 'string' && answers.photos.some((p) => p.key === remove)) {
      await removeDraftPhoto(ctx, token, remove)
      answers.photos = answers.photos.filter((p) => p.key !== remove)
      await saveDraft(ctx, token, answers, now)
      return { kind: 'saved', token, goTo: 'photos', returnToCheck }
    }
    const refused = await addPhotos(ctx, token, answers, form.photos, now)
    if (refused) {
      return {
        kind: 'refused',
        token,
        returnToCheck,
        status: 422,
        problems: [refused],
        values: answers.values,
        draft,
      }
    }
  } else {
    const problems = stepProblems(step, answers.values, now)
    if (problems.length === 0 && step === 'where') {
      const county = answers.values.county ?? ''
      if (!(await knownCounty(ctx.db, county))) {
        problems.push({ field: 'county', message: '请从列表中选择丽水市的区县。' })
      }
    }
    if (problems.length > 0) {
      // The answers stay as typed in the page shown again; the draft keeps its last good ones.
      return {
        kind: 'refused',
        token,
        returnToCheck,
        status: 422,
        problems,
        values: answers.values,
        draft,
      }
    }
  }
  if (!answers.done.includes(step)) answers.done.push(step)
  await saveDraft(ctx, token, answers, now)
  const [firstUnfinished] = unfinishedSteps(answers, now)
  const goTo: StepTarget = returnToCheck ? (firstUnfinished ?? 'check') : nextAfter(step)
  return { kind: 'saved', token, goTo, returnToCheck }
}

/** Adds the chosen photos to the draft; a problem with any of them adds none. */
async function addPhotos(
  ctx: ServiceContext,
  token: string,
  answers: DraftAnswers,
  chosen: readonly IncomingPhoto[],
  now: Date,
): Promise<FieldProblem | undefined> {
  if (chosen.length === 0) return undefined
  const room = defaultPhotoLimits.maxCount - answers.photos.length
  try {
    const accepted = acceptPhotos(chosen, { ...defaultPhotoLimits, maxCount: Math.max(room, 0) })
    answers.photos.push(...(await storeDraftPhotos(ctx, token, accepted, now)))
    return undefined
  } catch (error) {
    if (!(error instanceof PhotoRejected)) throw error
    return { field: 'photos', message: error.message }
  }
}

/** The receipt cookie as submit.ts gives it to either entry. */
type FiledCookie = ReturnType<typeof receiptCookie> & { options: { secure: boolean } }

export type DraftFiling =
  | { kind: 'filed'; receipt: ComplaintReceipt; cookie: FiledCookie }
  /** No draft (never started, or expired and deleted): start again. */
  | { kind: 'missing' }
  /** Steps still to answer: the first of them. */
  | { kind: 'unfinished'; step: ComplaintStep }
  | {
      kind: 'refused'
      status: number
      message: string
      problems: FieldProblem[]
      retryAfterSeconds?: number
    }

/**
 * Files the resident's draft as a complaint, through the same `fileComplaint` as every other
 * entry, with its pending photos, under a key derived from the draft: submitting again (a double
 * click, a reload of the POST) answers with the first receipt and files nothing more.
 */
export async function fileDraft({
  ctx,
  input,
}: {
  ctx: ServiceContext
  input: { token: string | undefined; clientAddress: string }
}): Promise<DraftFiling> {
  const { token } = input
  const draft = await readDraft(ctx, token)
  if (!token || !draft) return { kind: 'missing' }
  const [unfinished] = unfinishedSteps(draft)
  if (unfinished) return { kind: 'unfinished', step: unfinished }
  const photos: IncomingPhoto[] = []
  for (const photo of draft.photos) {
    const stored = await ctx.photos.get(photo.key)
    if (stored)
      photos.push({ name: photo.name, declaredType: stored.contentType, bytes: stored.bytes })
  }
  try {
    const receipt = await fileComplaint({
      ctx,
      input: {
        fields: formFieldsToInput(draft.values),
        photos,
        idempotencyKey: draftIdempotencyKey(token),
        clientAddress: input.clientAddress,
      },
    })
    if (!draft.filedTrackingNo) {
      await saveDraft(ctx, token, { ...draft, filedTrackingNo: receipt.trackingNo })
    }
    const cookie = receiptCookie(receipt)
    return {
      kind: 'filed',
      receipt,
      cookie: {
        ...cookie,
        options: { ...cookie.options, secure: ctx.config.NODE_ENV === 'production' },
      },
    }
  } catch (error) {
    if (!(error instanceof ApiError) || error.status >= 500) throw error
    const details = error.details as { retryAfterSeconds?: unknown } | undefined
    const retry = typeof details?.retryAfterSeconds === 'number' ? details.retryAfterSeconds : 0
    return {
      kind: 'refused',
      status: error.code === 'VALIDATION_FAILED' ? 422 : error.status,
      message: error.message,
      problems: error.code === 'VALIDATION_FAILED' ? fieldProblemsOf(error) : [],
      ...(retry > 0 ? { retryAfterSeconds: Math.ceil(retry) } : {}),
    }
  }
}
