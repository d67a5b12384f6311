import { z } from '@hono/zod-openapi'
import { operatorRoles, sessionStages } from '../../../../db/database.ts'

export const issuedSessionSchema = z
  .object({
    stage: z.enum(sessionStages).openapi({
      description: 'What is still owed: change_password, then totp, then active (signed in).',
    }),
    csrfToken: z
      .string()
      .openapi({ description: 'Send as X-CSRF-Token on every non-GET request.' }),
  })
  .openapi('ConsoleSessionIssued')

export const operatorSchema = z
  .object({
    username: z.string(),
    role: z.enum(operatorRoles),
    countyCode: z.string().nullable(),
  })
  .openapi('ConsoleOperator')
