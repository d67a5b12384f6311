import { z } from 'zod'
import { consoleVerb, parseConsoleInput } from '../console-request.ts'
import { requireCityAdmin } from './access.ts'
import { changeEnterprise } from './change.ts'

/** One action on a business: its fields are parsed by changeEnterprise (version, reason, ...). */
export const changeEnterpriseInConsole = consoleVerb({
  access: { authorize: requireCityAdmin },
  parse: (raw) =>
    parseConsoleInput(z.object({ uscc: z.string(), fields: z.unknown() }), raw, 'param'),
  run: ({ ctx, session, request, input }) =>
    changeEnterprise({
      ctx,
      input: {
        operator: session.operator,
        uscc: input.uscc,
        fields: input.fields,
        clientAddress: request.clientAddress,
      },
    }),
})
