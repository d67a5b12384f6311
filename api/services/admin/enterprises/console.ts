import { z } from 'zod'
import { consoleVerb, parseConsoleInput } from '../console-request.ts'
import { enterpriseAdmins } from './access.ts'
import { changeEnterprise } from './change.ts'
import { getConsoleEnterprise } from './get.ts'
import { importUploadedList } from './import.ts'
import { usccParams } from './params.ts'

/** One business with its whole record, for the console. */
export const getEnterpriseInConsole = consoleVerb({
  access: enterpriseAdmins,
  parse: (raw) => parseConsoleInput(usccParams, raw, 'param'),
  run: ({ ctx, input }) => getConsoleEnterprise({ ctx, input: { uscc: input.uscc } }),
})

/**
 * One action on a business, answered with the business as it is now: the code as a path names
 * it, the fields parsed by changeEnterprise (version, reason, ...).
 */
export const changeEnterpriseInConsole = consoleVerb({
  access: enterpriseAdmins,
  parse: (raw) => ({
    ...parseConsoleInput(usccParams, raw, 'param'),
    ...parseConsoleInput(z.object({ fields: z.unknown() }), raw),
  }),
  run: async ({ ctx, session, request, input }) => {
    const { operator } = session
    await changeEnterprise({
      ctx,
      input: {
        operator,
        uscc: input.uscc,
        fields: input.fields,
        clientAddress: request.clientAddress,
      },
    })
    return getConsoleEnterprise({ ctx, input: { uscc: input.uscc } })
  },
})

const uploadedList = z.object({
  fileName: z.string(),
  bytes: z.instanceof(Uint8Array),
  dryRun: z.boolean(),
})

/** The bureau's list uploaded (名单导入), read and checked as the command-line import does. */
export const importListInConsole = consoleVerb({
  access: enterpriseAdmins,
  parse: (raw) => parseConsoleInput(uploadedList, raw, 'form'),
  run: ({ ctx, session, request, input }) =>
    importUploadedList({
      ctx,
      input: { ...input, operator: session.operator, clientAddress: request.clientAddress },
    }),
})
