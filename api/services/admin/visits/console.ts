import { z } from 'zod'
import { consoleVerb, parseConsoleInput } from '../console-request.ts'
import { getVisit } from './get.ts'
import { addVisitPhotos, visitPhoto } from './photos.ts'
import { parseVisitRecord, recordVisit } from './record.ts'
import { visitParams } from './schemas.ts'

/** A visit's id as a path names it: a malformed one is refused with the API's path message. */
const visitCall = (raw: unknown) => parseConsoleInput(visitParams, raw, 'param')

/** One drawn visit with its record (GET /api/admin/visits/{id} and the visit page). */
export const getVisitInConsole = consoleVerb({
  parse: visitCall,
  run: ({ ctx, session, input }) => getVisit({ ctx, operator: session.operator, input }),
})

/** Saves a visit's record: the id as a path names it, then the record's fields. */
export const recordVisitInConsole = consoleVerb({
  parse: (raw) => {
    const { id } = visitCall(raw)
    const { fields } = parseConsoleInput(z.object({ fields: z.unknown() }), raw)
    return { id, record: parseVisitRecord(fields) }
  },
  run: ({ ctx, session, request, input }) =>
    recordVisit({
      ctx,
      operator: session.operator,
      input: { ...input, clientAddress: request.clientAddress },
    }),
})

const uploadedPhotos = z.object({
  id: z.string(),
  photos: z.array(
    z.object({ name: z.string(), declaredType: z.string(), bytes: z.instanceof(Uint8Array) }),
  ),
})

/** Photos of instruments added to a visit (multipart `photos`). */
export const addVisitPhotosInConsole = consoleVerb({
  parse: (raw) => {
    const { id } = visitCall(raw)
    return { ...parseConsoleInput(uploadedPhotos, raw, 'form'), id }
  },
  run: ({ ctx, session, request, input }) =>
    addVisitPhotos({
      ctx,
      operator: session.operator,
      input: { ...input, clientAddress: request.clientAddress },
    }),
})

/** A visit photo the operator may see (else 404, as an unknown one), its view audited. */
export const visitPhotoInConsole = consoleVerb({
  parse: (raw) => parseConsoleInput(z.object({ photoId: z.string() }), raw, 'param'),
  run: ({ ctx, session, request, input }) =>
    visitPhoto({
      ctx,
      operator: session.operator,
      input: { photoId: input.photoId, clientAddress: request.clientAddress },
    }),
})
